package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.KernelSource;
import videollama.kernels.TestBackend;

/**
 * The JVM's handlers of the synchronous signals survive a kernel build. PoCL's LLVM installs its own handlers of
 * SIGSEGV, SIGBUS and SIGILL (and PoCL one of SIGFPE) when it compiles a program; the JVM needs SIGSEGV for the
 * implicit null checks of compiled code, so with LLVM's in place a NullPointerException ended the test JVM now and then
 * (exit 139, no hs_err). The launcher and the test configuration preload HotSpot's libjsig, which keeps the JVM's
 * handlers of these signals installed and chains the others behind them. (LLVM takes SIGINT and SIGTERM too, which
 * libjsig does not guard: a {@code serve} on OpenCL stopped by Ctrl-C ends without its shutdown hook. Not handled yet.)
 *
 * <p>The handlers are read with the rt_sigaction system call itself: libjsig answers libc's sigaction with the
 * handler a library asked for (the one it chains), not the one installed.
 */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class SignalHandlersTest {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    private static final int SYS_RT_SIGACTION = 13;   // x86_64's system call number (asm/unistd_64.h)
    private static final int[] SIGNALS = {4, 7, 8, 11};   // SIGILL, SIGBUS, SIGFPE, SIGSEGV
    private static final Linker LINKER = Linker.nativeLinker();

    @Test
    void theJvmKeepsItsSignalHandlersAfterAKernelBuild() throws Throwable {
        // options no other test uses, so that this build is the backend's own
        openCL.get().createKernel(new KernelSource("gemm", "linear_blocked", "-DBLOCK_M=2 -DBLOCK_N=5"));
        for (int signal : SIGNALS) {
            String library = libraryOfHandler(signal);
            assertTrue(library.endsWith("libjvm.so"), "signal " + signal + "'s handler is in " + library
                    + ", not the JVM (is libjsig preloaded? see the videollama launcher)");
        }
    }

    /** The file of the library whose code handles {@code signal} now (dladdr of the kernel's sa_handler). */
    private static String libraryOfHandler(int signal) throws Throwable {
        MethodHandle syscall = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        MethodHandle dladdr = LINKER.downcallHandle(LINKER.defaultLookup().find("dladdr").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            // the kernel's struct sigaction: handler, flags, restorer, then the mask of 8 bytes (the last argument)
            MemorySegment action = arena.allocate(32, 8);
            long result = (long) syscall.invokeExact((long) SYS_RT_SIGACTION, (long) signal, MemorySegment.NULL, action, 8L);
            assertEquals(0, result, "rt_sigaction(" + signal + ")");
            MemorySegment handler = action.get(ValueLayout.ADDRESS, 0);
            MemorySegment info = arena.allocate(32, 8);   // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
            if ((int) dladdr.invokeExact(handler, info) == 0) {
                return "no library (handler " + handler.address() + ")";
            }
            return info.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0);
        }
    }
}
