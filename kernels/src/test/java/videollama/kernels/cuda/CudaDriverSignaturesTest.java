package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every driver function CudaDriver binds, checked against the CUDA toolkit's {@code cuda.h} without a driver: the
 * symbol is one cuda.h declares (directly, or as the versioned name a macro maps the API name to, e.g.
 * {@code #define cuMemAlloc cuMemAlloc_v2}), and the parameter layouts match the C declaration (pointers and
 * opaque handles are addresses, {@code size_t} and {@code CUdeviceptr} 64-bit, enums and ints 32-bit). A wrong
 * layout would otherwise corrupt memory on a GPU machine with no error. Skipped without cuda.h.
 */
class CudaDriverSignaturesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#define\\s+(cu\\w+)\\s+(?:__CUDA_API_PT(?:DS|SZ)\\()?(cu\\w+)\\)?\\s*$");
    private static final Pattern DECLARATION = Pattern.compile("CUresult CUDAAPI (cu\\w+)\\(([^)]*)\\);");
    /** Opaque handle typedefs (pointers to structs). */
    private static final List<String> HANDLES = List.of("CUcontext", "CUstream", "CUmodule", "CUfunction", "CUgraph", "CUgraphExec", "CUevent");
    private static final List<String> LONGS = List.of("CUdeviceptr", "size_t", "unsigned long long", "cuuint64_t");
    private static final List<String> INTS = List.of("int", "unsigned int", "CUdevice", "CUresult", "CUdevice_attribute", "CUfunction_attribute",
            "CUstreamCaptureMode", "CUjit_option");

    private static Optional<Path> cudaHeader() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "include/cuda.h"));
        }
        CudaTestSupport.onPath("nvcc").ifPresent(nvcc -> candidates.add(nvcc.toAbsolutePath().getParent().resolveSibling("include/cuda.h")));
        try (Stream<Path> dirs = Files.list(Path.of("/usr/local"))) {
            dirs.filter(d -> d.getFileName().toString().startsWith("cuda")).sorted().forEach(d -> candidates.add(d.resolve("include/cuda.h")));
        } catch (IOException e) {
            // no /usr/local
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    /** The layout a C parameter declaration takes, or null when the mapping does not know the type. */
    private static Class<?> carrier(String parameter) {
        String p = parameter.strip();
        if (p.contains("*")) {
            return MemorySegment.class;
        }
        String type = p.replaceFirst("^const\\s+", "").replaceFirst("\\s+\\w+$", "").strip();
        if (HANDLES.contains(type)) {
            return MemorySegment.class;
        }
        if (LONGS.contains(type)) {
            return long.class;
        }
        if (INTS.contains(type)) {
            return int.class;
        }
        if (type.equals("float")) {
            return float.class;
        }
        return null;
    }

    @Test
    void everyBindingMatchesCudaH() throws IOException {
        Optional<Path> header = cudaHeader();
        Assumptions.assumeTrue(header.isPresent(), "no cuda.h (CUDA toolkit) here: driver signatures not checked");
        String text = Files.readString(header.get());
        // the versioned symbol -> the API name cuda.h declares it under
        Map<String, String> apiName = new HashMap<>();
        Matcher d = DEFINE.matcher(text);
        while (d.find()) {
            apiName.putIfAbsent(d.group(2), d.group(1));
        }
        // the first declaration of each name: the public one (later ones are the old versions cuda.h keeps for itself)
        Map<String, String> declarations = new HashMap<>();
        Matcher m = DECLARATION.matcher(text);
        while (m.find()) {
            declarations.putIfAbsent(m.group(1), m.group(2));
        }
        assertTrue(CudaDriver.ALL.size() >= 30);
        for (CudaDriver.Signature s : CudaDriver.ALL) {
            String symbol = s.symbols().getFirst();
            String declared = apiName.getOrDefault(symbol, symbol);
            String parameters = declarations.get(declared);
            assertNotNull(parameters, symbol + " (" + declared + ") is not declared in " + header.get());
            List<Class<?>> expected = new ArrayList<>();
            if (!parameters.strip().equals("void")) {
                for (String p : parameters.split(",")) {
                    Class<?> c = carrier(p);
                    assertNotNull(c, symbol + ": no layout known for the C parameter '" + p.strip() + "'");
                    expected.add(c);
                }
            }
            List<Class<?>> bound = new ArrayList<>();
            for (MemoryLayout l : s.params()) {
                bound.add(((ValueLayout) l).carrier());
            }
            assertEquals(expected, bound, symbol + ": bound layouts vs cuda.h's " + declared + "(" + parameters.replaceAll("\\s+", " ") + ")");
        }
    }
}
