package videollama.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.DeviceInfo;
import videollama.kernels.cuda.CudaBackend;
import videollama.kernels.opencl.OpenCLDevices;
import videollama.loader.MediaDecoder;

/** {@code videollama devices}: the compute devices this machine offers, with their limits, and the media decoders in use. */
@Command(name = "devices",
        description = "List the OpenCL and CUDA devices and their limits, and which decoders read videos and sounds.")
final class DevicesCommand extends AppCommand {

    @Override
    public Integer call() {
        PrintWriter out = common.cli().getOut();
        out.println("reference: plain Java, float32, " + Runtime.getRuntime().availableProcessors() + " CPU threads");
        try {
            List<DeviceInfo> devices = OpenCLDevices.list();
            if (devices.isEmpty()) {
                out.println("opencl: no devices");
            }
            for (int i = 0; i < devices.size(); i++) {
                DeviceInfo d = devices.get(i);
                out.println(String.format(Locale.ROOT, "opencl %d: %s — %s (%s), %s", i, d.name(), d.platform(), d.vendor(),
                        d.isCpu() ? "CPU" : "GPU"));
                out.println(String.format(Locale.ROOT,
                        "    %d compute units at %d MHz, %.1f GiB memory (%.1f GiB per buffer), %d KiB local memory, work-groups up to %d",
                        d.computeUnits(), d.clockMHz(), d.globalMemoryBytes() / 1073741824.0, d.maxAllocationBytes() / 1073741824.0,
                        d.localMemoryBytes() / 1024, d.maxWorkGroupSize()));
                out.println("    " + d.version() + "; fp16 arithmetic " + (d.fp16Arithmetic() ? "yes" : "no")
                        + ", subgroups " + (d.subgroups() ? "yes" : "no"));
            }
        } catch (BackendUnavailableException e) {
            out.println("opencl: " + e.getMessage());
        }
        try (CudaBackend cuda = CudaBackend.open()) {
            out.println("cuda: " + cuda.device());
            out.println("    kernels: " + cuda.kernels());
        } catch (BackendUnavailableException e) {
            out.println("cuda: " + e.getMessage());
        }
        out.println("media: " + MediaDecoder.preferred().describe());
        return 0;
    }
}
