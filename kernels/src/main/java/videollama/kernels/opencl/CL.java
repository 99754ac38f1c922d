package videollama.kernels.opencl;

/** The OpenCL constants these bindings use (values from the Khronos {@code cl.h}). */
final class CL {
    private CL() {}

    static final int SUCCESS = 0;
    static final int DEVICE_NOT_FOUND = -1;
    static final int BUILD_PROGRAM_FAILURE = -11;
    static final int PLATFORM_NOT_FOUND_KHR = -1001;

    static final int PLATFORM_VERSION = 0x0901;
    static final int PLATFORM_NAME = 0x0902;
    static final int PLATFORM_VENDOR = 0x0903;

    static final long DEVICE_TYPE_CPU = 1L << 1;
    static final long DEVICE_TYPE_GPU = 1L << 2;
    static final long DEVICE_TYPE_ALL = 0xFFFFFFFFL;

    static final int DEVICE_TYPE = 0x1000;
    static final int DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    static final int DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    static final int DEVICE_MAX_CLOCK_FREQUENCY = 0x100C;
    static final int DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    static final int DEVICE_MEM_BASE_ADDR_ALIGN = 0x1019;
    static final int DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    static final int DEVICE_LOCAL_MEM_SIZE = 0x1023;
    static final int DEVICE_NAME = 0x102B;
    static final int DEVICE_VENDOR = 0x102C;
    static final int DRIVER_VERSION = 0x102D;
    static final int DEVICE_VERSION = 0x102F;
    static final int DEVICE_EXTENSIONS = 0x1030;
    static final int DEVICE_HOST_UNIFIED_MEMORY = 0x1035;
    static final int DEVICE_OPENCL_C_VERSION = 0x103D;

    static final long QUEUE_PROFILING_ENABLE = 1L << 1;

    static final long MEM_READ_WRITE = 1L;
    static final long MEM_READ_ONLY = 1L << 2;
    static final long MEM_USE_HOST_PTR = 1L << 3;
    static final int MEM_HOST_PTR = 0x1103;

    static final int PROGRAM_BUILD_LOG = 0x1183;

    static final int KERNEL_WORK_GROUP_SIZE = 0x11B0;

    static final int PROFILING_COMMAND_START = 0x1282;
    static final int PROFILING_COMMAND_END = 0x1283;

    /** The name of an OpenCL error code, for messages. */
    static String errorName(int code) {
        return switch (code) {
            case 0 -> "CL_SUCCESS";
            case -1 -> "CL_DEVICE_NOT_FOUND";
            case -2 -> "CL_DEVICE_NOT_AVAILABLE";
            case -3 -> "CL_COMPILER_NOT_AVAILABLE";
            case -4 -> "CL_MEM_OBJECT_ALLOCATION_FAILURE";
            case -5 -> "CL_OUT_OF_RESOURCES";
            case -6 -> "CL_OUT_OF_HOST_MEMORY";
            case -11 -> "CL_BUILD_PROGRAM_FAILURE";
            case -30 -> "CL_INVALID_VALUE";
            case -32 -> "CL_INVALID_PLATFORM";
            case -33 -> "CL_INVALID_DEVICE";
            case -34 -> "CL_INVALID_CONTEXT";
            case -36 -> "CL_INVALID_COMMAND_QUEUE";
            case -38 -> "CL_INVALID_MEM_OBJECT";
            case -44 -> "CL_INVALID_PROGRAM";
            case -45 -> "CL_INVALID_PROGRAM_EXECUTABLE";
            case -46 -> "CL_INVALID_KERNEL_NAME";
            case -48 -> "CL_INVALID_KERNEL";
            case -49 -> "CL_INVALID_ARG_INDEX";
            case -50 -> "CL_INVALID_ARG_VALUE";
            case -51 -> "CL_INVALID_ARG_SIZE";
            case -52 -> "CL_INVALID_KERNEL_ARGS";
            case -53 -> "CL_INVALID_WORK_DIMENSION";
            case -54 -> "CL_INVALID_WORK_GROUP_SIZE";
            case -55 -> "CL_INVALID_WORK_ITEM_SIZE";
            case -56 -> "CL_INVALID_GLOBAL_OFFSET";
            case -61 -> "CL_INVALID_BUFFER_SIZE";
            case -63 -> "CL_INVALID_GLOBAL_WORK_SIZE";
            case -1001 -> "CL_PLATFORM_NOT_FOUND_KHR";
            default -> "CL error " + code;
        };
    }
}
