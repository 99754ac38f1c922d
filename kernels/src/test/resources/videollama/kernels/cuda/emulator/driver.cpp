// A stand-in for libcuda.so.1 that runs the kernels on the CPU: the driver functions CudaDriver binds, with the
// same C signatures, over host memory, with the kernels compiled from the .cu sources against cuda_shim.h.
// CudaEmulator (a test helper) builds it as a shared library; the Emulated* tests run the CUDA backend's Java
// code on it end to end: context handling, allocation, copies, module and function lookup, parameter blocks,
// stream capture into graphs, graph replays and events.
//
// It is stricter than a GPU where that finds our bugs sooner: every call but the device queries needs the context
// current on the calling thread; a copy, launch argument or memset must fall inside a live allocation; a copy,
// sync or event during a capture is refused (the backend never captures them); a launch checks its grid, block
// and shared memory; every allocation ends at an unmapped page, so a kernel that runs more than 255 bytes past a
// buffer's end crashes the test instead of reading a neighbour (a GPU maps memory in 2 MB pages and would not
// notice). It is weaker in what it cannot see: kernels run one block at a time, in order, so races between blocks
// and speed are invisible, and a kernel's access before a buffer's start or within the last 255 bytes of slack is
// not caught.
//
// Everything runs synchronously under one lock; streams only carry the capture state.
#include <chrono>
#include <map>
#include <set>
#include <elf.h>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "gemm.cu"
#include "gemv.cu"
#include "rmsnorm.cu"
#include "embedding.cu"
#include "rope.cu"
#include "argmax.cu"
#include "decode_attention.cu"
#include "norms.cu"
#include "activations.cu"
#include "flash_attention.cu"
#include "patch_embed.cu"
#include "q8_0.cu"

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef int CUdevice;

enum : int {
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, INVALID_IMAGE = 200, INVALID_CONTEXT = 201, INVALID_HANDLE = 400,
    NOT_FOUND = 500, LAUNCH_OUT_OF_RESOURCES = 701, CAPTURE_UNSUPPORTED = 900, CAPTURE_INVALIDATED = 901
};

namespace {

std::recursive_mutex device_lock;
int context_token;                                   // the one (primary) context's handle points here
thread_local void* current_context = nullptr;
std::map<uintptr_t, size_t> allocations;             // device memory: start -> bytes

// Device memory ends where an unmapped page begins (the start 256-byte aligned, as cuMemAlloc's): a kernel that
// reads or writes more than 255 bytes past the end of a buffer faults instead of reading its neighbour.
constexpr size_t PAGE = 4096;
size_t mapped_bytes(size_t bytes) { return (bytes + 255) / 256 * 256 / PAGE * PAGE + 2 * PAGE; }
void* map_guarded(size_t bytes) {
    size_t total = mapped_bytes(bytes);
    void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    auto* guard = static_cast<unsigned char*>(base) + total - PAGE;
    mprotect(guard, PAGE, PROT_NONE);
    return guard - (bytes + 255) / 256 * 256;
}
void unmap_guarded(void* p, size_t bytes) {
    size_t total = mapped_bytes(bytes);
    auto* end = static_cast<unsigned char*>(p) + (bytes + 255) / 256 * 256 + PAGE;
    munmap(end - total, total);
}

bool in_allocation(uintptr_t p, size_t bytes) {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return false;
    --it;
    return p >= it->first && p + bytes <= it->first + it->second;
}

// A launch to run now or to keep in a graph: empty when it ran, else why it was refused.
using Launch = std::function<std::string()>;

struct Graph { std::vector<Launch> launches; };
struct Stream { bool capturing = false; bool invalidated = false; Graph* graph = nullptr; };
struct Event { bool recorded = false; std::chrono::steady_clock::time_point time; };

// A kernel's launcher: copies the argument values out of cuLaunchKernel's parameter block (as the driver does)
// and returns the launch to run now or to keep in a graph; an empty function if an argument is refused.
using Launcher = std::function<Launch(dim3, dim3, void**, std::string&)>;

template <typename T>
bool check_argument(const T& value, int index, std::string& error) {
    if constexpr (std::is_pointer_v<T>) {
        if (!in_allocation(reinterpret_cast<uintptr_t>(value), 1)) {
            error = "argument " + std::to_string(index) + " is not device memory";
            return false;
        }
    }
    return true;
}

template <typename... P, size_t... I>
Launch bind_arguments(void (*kernel)(P...), dim3 grid, dim3 block, void** params, std::string& error,
                      std::index_sequence<I...>) {
    std::tuple<std::remove_cv_t<P>...> values{*static_cast<std::remove_cv_t<P>*>(params[I])...};
    if (!(check_argument(std::get<I>(values), (int)I, error) && ...)) return {};
    // The arguments are checked again at every run: a graph replayed after one of its buffers was freed is refused
    // by name, where its kernels would read unmapped pages (a crash of the whole JVM) or whatever was mapped there
    // since (a silent wrong answer). A GPU would read freed memory just as silently.
    return [kernel, grid, block, values]() -> std::string {
        std::string freed;
        if (!(check_argument(std::get<I>(values), (int)I, freed) && ...)) return freed + " (freed since the capture)";
        std::apply([&](auto... v) { emu_launch(kernel, grid, block, v...); }, values);
        return {};
    };
}

template <typename... P>
Launcher launcher(void (*kernel)(P...)) {
    return [kernel](dim3 grid, dim3 block, void** params, std::string& error) {
        return bind_arguments(kernel, grid, block, params, error, std::index_sequence_for<P...>{});
    };
}

// Every entry point of the committed PTX (kernels.inc is generated from it by CudaEmulator).
#define KERNEL(name) {#name, launcher(name)},
const std::map<std::string, Launcher> kernels = {
#include "kernels.inc"
};
#undef KERNEL

// The driver's shared memory limits (cuda.h): 48 KiB a block in all, static plus dynamic, unless the kernel opts in
// through CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, up to the device's opt-in limit (an H100's 227 KiB),
// static bytes again included.
constexpr int SHARED_PER_BLOCK = 48 * 1024;
constexpr int SHARED_PER_BLOCK_OPTIN = 227 * 1024;

// A loaded module: the kernel names it declares with their static shared memory in bytes, read from PTX text
// (".entry name(" and the .shared arrays it uses) or from a cubin's ELF file (the global function symbols and
// their .nv.shared.<name> sections), so cuModuleGetFunction fails for a name the image does not have and
// cuFuncGetAttribute answers as the driver does.
struct Module { std::map<std::string, int> entries; };
struct Function {
    std::string name;
    const Launcher* launch;
    int static_shared;
    int max_dynamic_shared = SHARED_PER_BLOCK - static_shared;
};

void report(const std::string& what) { std::fprintf(stderr, "cuda emulator: %s\n", what.c_str()); }

bool has_context() { return current_context == &context_token; }

}  // namespace

#define NEEDS_CONTEXT() do { if (!has_context()) { report(std::string(__func__) + " without a current context"); return INVALID_CONTEXT; } } while (0)

extern "C" {

CUresult cuGetErrorName(CUresult error, const char** name) {
    static const std::map<int, const char*> names = {
        {SUCCESS, "CUDA_SUCCESS"}, {INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"}, {OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"},
        {INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"}, {INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT"},
        {INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE"}, {NOT_FOUND, "CUDA_ERROR_NOT_FOUND"},
        {LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
        {CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"}, {CAPTURE_INVALIDATED, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"}};
    auto it = names.find(error);
    if (it == names.end()) { *name = nullptr; return INVALID_VALUE; }
    *name = it->second;
    return SUCCESS;
}

CUresult cuInit(unsigned int flags) { return flags == 0 ? SUCCESS : INVALID_VALUE; }
CUresult cuDriverGetVersion(int* version) { *version = 13000; return SUCCESS; }
CUresult cuDeviceGetCount(int* count) { *count = 1; return SUCCESS; }
CUresult cuDeviceGet(CUdevice* device, int ordinal) { if (ordinal != 0) return INVALID_VALUE; *device = 0; return SUCCESS; }

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    if (device != 0) return INVALID_VALUE;
    std::snprintf(name, length, "CUDA emulator (CPU threads)");
    return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    static const std::map<int, int> attributes = {
        {1, 1024}, {6, 65535}, {8, 48 * 1024}, {13, 1000000}, {16, 2}, {36, 1000000}, {37, 64}, {38, 1 << 20},
        {75, 9}, {76, 0}, {97, 227 * 1024}};
    if (device != 0) return INVALID_VALUE;
    auto it = attributes.find(attribute);
    *value = it == attributes.end() ? 0 : it->second;
    return SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) { *bytes = size_t(4) << 30; return device == 0 ? SUCCESS : INVALID_VALUE; }
CUresult cuDevicePrimaryCtxRetain(void** context, CUdevice device) { *context = &context_token; return device == 0 ? SUCCESS : INVALID_VALUE; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) { return device == 0 ? SUCCESS : INVALID_VALUE; }

CUresult cuCtxSetCurrent(void* context) {
    if (context != nullptr && context != &context_token) return INVALID_CONTEXT;
    current_context = context;
    return SUCCESS;
}

// The global function symbols of an sm_XX cubin (an ELF64 file for machine EM_CUDA), or false if it is not one.
bool cubin_entries(const unsigned char* image, std::map<std::string, int>& entries) {
    const auto* header = reinterpret_cast<const Elf64_Ehdr*>(image);
    if (std::memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64 || header->e_machine != 190) {
        return false;
    }
    const auto* sections = reinterpret_cast<const Elf64_Shdr*>(image + header->e_shoff);
    const char* section_names = reinterpret_cast<const char*>(image + sections[header->e_shstrndx].sh_offset);
    // ".nv.shared.<kernel>" holds that kernel's static shared arrays. Where the cubin has a ".nv.shared.reserved.0"
    // section (ptxas 13.0 for sm_90: not for sm_80), each kernel's section also spans the 1 KiB the driver reserves
    // per block (CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK), which the driver does not count in
    // CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES (decode_attention_merge: a section of 1,152 bytes, "128 bytes smem" in ptxas -v).
    constexpr int RESERVED_SHARED = 1024;
    std::map<std::string, int> shared;
    bool reserved_first = false;
    for (int i = 0; i < header->e_shnum; i++) {
        std::string name = section_names + sections[i].sh_name;
        if (name.rfind(".nv.shared.reserved.", 0) == 0) reserved_first = true;
        else if (name.rfind(".nv.shared.", 0) == 0) shared[name.substr(11)] = (int)sections[i].sh_size;
    }
    if (reserved_first) {
        for (auto& [kernel, bytes] : shared) bytes = std::max(0, bytes - RESERVED_SHARED);
    }
    for (int i = 0; i < header->e_shnum; i++) {
        if (sections[i].sh_type != SHT_SYMTAB) continue;
        const auto* symbols = reinterpret_cast<const Elf64_Sym*>(image + sections[i].sh_offset);
        const char* names = reinterpret_cast<const char*>(image + sections[sections[i].sh_link].sh_offset);
        for (size_t k = 0; k < sections[i].sh_size / sizeof(Elf64_Sym); k++) {
            if (ELF64_ST_TYPE(symbols[k].st_info) == STT_FUNC && ELF64_ST_BIND(symbols[k].st_info) == STB_GLOBAL) {
                std::string name = names + symbols[k].st_name;
                entries[name] = shared.count(name) ? shared[name] : 0;
            }
        }
    }
    return true;
}

// The bytes of one PTX state-space declaration: ".shared .align 4 .b8 name[128];" (sizes as PTX ISA 5.2's types).
int declared_bytes(const std::string& declaration) {
    static const std::map<std::string, int> type_bytes = {
        {"b8", 1}, {"u8", 1}, {"s8", 1}, {"b16", 2}, {"u16", 2}, {"s16", 2}, {"f16", 2}, {"b32", 4}, {"u32", 4},
        {"s32", 4}, {"f32", 4}, {"b64", 8}, {"u64", 8}, {"s64", 8}, {"f64", 8}};
    int bytes = 0;
    for (const auto& [type, size] : type_bytes) {
        if (declaration.find(" ." + type + " ") != std::string::npos) bytes = size;
    }
    for (size_t open = declaration.find('['); open != std::string::npos; open = declaration.find('[', open + 1)) {
        bytes *= std::stoi(declaration.substr(open + 1));
    }
    return bytes;
}

// Each ".entry name(" of PTX text with the static shared memory it uses: the non-extern .shared declarations in
// its body (NVRTC puts a kernel's __shared__ arrays there, those of inlined device functions too, e.g.
// decode_attention_merge's block_sum: "_ZZ9block_sumfE9warp_sums[128]") plus module-scope ones the body names, each
// placed at its alignment.
void ptx_entries(const std::string& ptx, std::map<std::string, int>& entries) {
    std::map<std::string, std::pair<int, int>> module_shared;  // name -> (alignment, bytes), declared outside entries
    auto declarations = [&](size_t from, size_t to, auto&& each) {
        for (size_t at = ptx.find(".shared ", from); at != std::string::npos && at < to; at = ptx.find(".shared ", at + 8)) {
            size_t line = ptx.rfind('\n', at) + 1;
            size_t end = ptx.find(';', at);
            std::string declaration = ptx.substr(line, end - line);
            if (declaration.find(".extern") != std::string::npos || declaration.find("st.shared") != std::string::npos
                    || declaration.find("ld.shared") != std::string::npos) continue;
            size_t align_at = declaration.find(".align ");
            int align = align_at == std::string::npos ? 1 : std::stoi(declaration.substr(align_at + 7));
            size_t name_end = declaration.find('[');
            if (name_end == std::string::npos) name_end = declaration.size();
            size_t name_start = declaration.rfind(' ', name_end) + 1;
            each(declaration.substr(name_start, name_end - name_start), align, declared_bytes(declaration));
        }
    };
    size_t first_entry = ptx.find(".entry ");
    declarations(0, first_entry, [&](const std::string& name, int align, int bytes) { module_shared[name] = {align, bytes}; });
    for (size_t at = first_entry; at != std::string::npos; at = ptx.find(".entry ", at + 7)) {
        std::string name = ptx.substr(at + 7, ptx.find('(', at) - at - 7);
        size_t open = ptx.find('{', ptx.find(')', at));
        size_t close = open;
        for (int depth = 0; close < ptx.size(); close++) {
            if (ptx[close] == '{') depth++;
            if (ptx[close] == '}' && --depth == 0) break;
        }
        int offset = 0;
        auto place = [&](int align, int bytes) { offset = (offset + align - 1) / align * align + bytes; };
        declarations(open, close, [&](const std::string&, int align, int bytes) { place(align, bytes); });
        std::string body = ptx.substr(open, close - open);
        for (const auto& [shared_name, layout] : module_shared) {
            if (body.find(shared_name) != std::string::npos) place(layout.first, layout.second);
        }
        entries[name] = offset;
    }
}

CUresult cuModuleLoadDataEx(void** module, const void* image, unsigned int options, int* option_keys, void** option_values) {
    NEEDS_CONTEXT();
    for (unsigned int i = 0; i < options; i++) {
        if (option_keys[i] == 5 && option_values[i] != nullptr) static_cast<char*>(option_values[i])[0] = 0;  // empty error log
    }
    auto* m = new Module{};
    if (!cubin_entries(static_cast<const unsigned char*>(image), m->entries)) {
        std::string ptx(static_cast<const char*>(image));
        if (ptx.find(".version ") == std::string::npos || ptx.find(".target ") == std::string::npos) {
            report("module image is neither a cubin nor PTX text");
            delete m;
            return INVALID_IMAGE;
        }
        ptx_entries(ptx, m->entries);
    }
    *module = m;
    return SUCCESS;
}

CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    NEEDS_CONTEXT();
    auto* m = static_cast<Module*>(module);
    if (m->entries.count(name) == 0) return NOT_FOUND;
    auto it = kernels.find(name);
    if (it == kernels.end()) { report(std::string("no emulated kernel ") + name); return NOT_FOUND; }
    *function = new Function{name, &it->second, m->entries.at(name)};
    return SUCCESS;
}

CUresult cuModuleUnload(void* module) { NEEDS_CONTEXT(); delete static_cast<Module*>(module); return SUCCESS; }

// CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES (1) and CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (8), the two the
// backend asks for.
CUresult cuFuncGetAttribute(int* value, int attribute, void* function) {
    NEEDS_CONTEXT();
    auto* f = static_cast<Function*>(function);
    if (f == nullptr) return INVALID_HANDLE;
    if (attribute == 1) { *value = f->static_shared; return SUCCESS; }
    if (attribute == 8) { *value = f->max_dynamic_shared; return SUCCESS; }
    return INVALID_VALUE;
}

CUresult cuFuncSetAttribute(void* function, int attribute, int value) {
    NEEDS_CONTEXT();
    auto* f = static_cast<Function*>(function);
    if (attribute != 8 || value < 0 || value > SHARED_PER_BLOCK_OPTIN - f->static_shared) {
        report(f->name + ": opting in to " + std::to_string(value) + " bytes of dynamic shared memory beside "
               + std::to_string(f->static_shared) + " static");
        return INVALID_VALUE;
    }
    f->max_dynamic_shared = value;
    return SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    NEEDS_CONTEXT();
    if (bytes == 0) return INVALID_VALUE;
    void* p = map_guarded(bytes);
    if (p == nullptr) return OUT_OF_MEMORY;
    std::memset(p, 0xCD, bytes);  // uninitialised, as on a GPU
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    allocations[reinterpret_cast<uintptr_t>(p)] = bytes;
    *pointer = reinterpret_cast<CUdeviceptr>(p);
    return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    NEEDS_CONTEXT();
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    auto it = allocations.find(pointer);
    if (it == allocations.end()) return INVALID_VALUE;
    unmap_guarded(reinterpret_cast<void*>(pointer), it->second);
    allocations.erase(it);
    return SUCCESS;
}

static CUresult stream_work(void* stream, const char* what) {
    auto* s = static_cast<Stream*>(stream);
    if (s == nullptr) { report(std::string(what) + " on the legacy default stream"); return INVALID_HANDLE; }
    if (s->capturing) { report(std::string(what) + " during a capture"); s->invalidated = true; return CAPTURE_UNSUPPORTED; }
    return SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void* host, size_t bytes, void* stream) {
    NEEDS_CONTEXT();
    if (CUresult r = stream_work(stream, "cuMemcpyHtoDAsync"); r != SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    if (!in_allocation(device, bytes)) { report("host-to-device copy outside device memory"); return INVALID_VALUE; }
    std::memcpy(reinterpret_cast<void*>(device), host, bytes);
    return SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void* host, CUdeviceptr device, size_t bytes, void* stream) {
    NEEDS_CONTEXT();
    if (CUresult r = stream_work(stream, "cuMemcpyDtoHAsync"); r != SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    if (!in_allocation(device, bytes)) { report("device-to-host copy outside device memory"); return INVALID_VALUE; }
    std::memcpy(host, reinterpret_cast<void*>(device), bytes);
    return SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr target, CUdeviceptr source, size_t bytes, void* stream) {
    NEEDS_CONTEXT();
    if (CUresult r = stream_work(stream, "cuMemcpyDtoDAsync"); r != SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    if (!in_allocation(source, bytes) || !in_allocation(target, bytes)) { report("device-to-device copy outside device memory"); return INVALID_VALUE; }
    if (source < target + bytes && target < source + bytes) { report("device-to-device copy of overlapping ranges"); return INVALID_VALUE; }
    std::memcpy(reinterpret_cast<void*>(target), reinterpret_cast<void*>(source), bytes);
    return SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr device, unsigned int value, size_t words, void* stream) {
    NEEDS_CONTEXT();
    if (CUresult r = stream_work(stream, "cuMemsetD32Async"); r != SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    if (!in_allocation(device, words * 4)) { report("memset outside device memory"); return INVALID_VALUE; }
    auto* p = reinterpret_cast<unsigned int*>(device);
    for (size_t i = 0; i < words; i++) p[i] = value;
    return SUCCESS;
}

CUresult cuLaunchKernel(void* function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z, unsigned int block_x,
                        unsigned int block_y, unsigned int block_z, unsigned int shared_bytes, void* stream, void** params,
                        void** extra) {
    NEEDS_CONTEXT();
    auto* f = static_cast<Function*>(function);
    auto* s = static_cast<Stream*>(stream);
    if (f == nullptr || s == nullptr || extra != nullptr) return INVALID_HANDLE;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    CUresult refused = SUCCESS;
    if (grid_x == 0 || grid_y == 0 || grid_z == 0 || grid_y > 65535 || grid_z > 65535 || block_x == 0 || block_x > 1024
            || (unsigned long long)block_x * block_y * block_z > 1024) {
        report(f->name + ": invalid grid or block");
        refused = INVALID_VALUE;
    } else if (shared_bytes > (unsigned int)f->max_dynamic_shared) {
        report(f->name + ": " + std::to_string(shared_bytes) + " bytes of dynamic shared memory beside " + std::to_string(f->static_shared)
               + " static, above the " + std::to_string(f->max_dynamic_shared) + " allowed");
        refused = INVALID_VALUE;
    } else if (block_y != 1 || block_z != 1 || block_x % 32 != 0) {
        report(f->name + ": the emulator runs 1-D blocks of whole warps only");
        refused = INVALID_VALUE;
    }
    Launch launch;
    if (refused == SUCCESS) {
        std::string error;
        launch = (*f->launch)(dim3{grid_x, grid_y, grid_z}, dim3{block_x, 1, 1}, params, error);
        if (!launch) { report(f->name + ": " + error); refused = INVALID_VALUE; }
    }
    if (refused != SUCCESS) {
        if (s->capturing) s->invalidated = true;
        return refused;
    }
    if (s->capturing) {
        s->graph->launches.push_back([name = f->name, launch] {
            std::string error = launch();
            return error.empty() ? error : name + ": " + error;
        });
    } else {
        launch();
    }
    return SUCCESS;
}

CUresult cuStreamCreate(void** stream, unsigned int flags) { NEEDS_CONTEXT(); (void)flags; *stream = new Stream(); return SUCCESS; }

CUresult cuStreamSynchronize(void* stream) { NEEDS_CONTEXT(); return stream_work(stream, "cuStreamSynchronize"); }

CUresult cuStreamDestroy_v2(void* stream) { NEEDS_CONTEXT(); delete static_cast<Stream*>(stream); return SUCCESS; }

CUresult cuStreamBeginCapture_v2(void* stream, int mode) {
    NEEDS_CONTEXT();
    auto* s = static_cast<Stream*>(stream);
    if (s == nullptr || s->capturing || mode < 0 || mode > 2) return INVALID_VALUE;
    s->capturing = true;
    s->invalidated = false;
    s->graph = new Graph();
    return SUCCESS;
}

CUresult cuStreamEndCapture(void* stream, void** graph) {
    NEEDS_CONTEXT();
    auto* s = static_cast<Stream*>(stream);
    if (s == nullptr || !s->capturing) return INVALID_VALUE;
    s->capturing = false;
    if (s->invalidated) {
        delete s->graph;
        *graph = nullptr;
        return CAPTURE_INVALIDATED;
    }
    *graph = s->graph;
    return SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
    NEEDS_CONTEXT();
    if (graph == nullptr || flags != 0) return INVALID_VALUE;
    *exec = new Graph(*static_cast<Graph*>(graph));
    return SUCCESS;
}

CUresult cuGraphLaunch(void* exec, void* stream) {
    NEEDS_CONTEXT();
    if (exec == nullptr) return INVALID_HANDLE;
    if (CUresult r = stream_work(stream, "cuGraphLaunch"); r != SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> guard(device_lock);
    for (auto& launch : static_cast<Graph*>(exec)->launches) {
        if (std::string error = launch(); !error.empty()) {
            report("cuGraphLaunch: " + error);
            return INVALID_VALUE;
        }
    }
    return SUCCESS;
}

CUresult cuGraphExecDestroy(void* exec) { NEEDS_CONTEXT(); delete static_cast<Graph*>(exec); return SUCCESS; }
CUresult cuGraphDestroy(void* graph) { NEEDS_CONTEXT(); delete static_cast<Graph*>(graph); return SUCCESS; }

CUresult cuEventCreate(void** event, unsigned int flags) { NEEDS_CONTEXT(); (void)flags; *event = new Event(); return SUCCESS; }

CUresult cuEventRecord(void* event, void* stream) {
    NEEDS_CONTEXT();
    if (CUresult r = stream_work(stream, "cuEventRecord"); r != SUCCESS) return r;
    auto* e = static_cast<Event*>(event);
    e->recorded = true;
    e->time = std::chrono::steady_clock::now();
    return SUCCESS;
}

CUresult cuEventSynchronize(void* event) { NEEDS_CONTEXT(); return event == nullptr ? INVALID_HANDLE : SUCCESS; }

CUresult cuEventElapsedTime_v2(float* milliseconds, void* start, void* end) {
    NEEDS_CONTEXT();
    auto* a = static_cast<Event*>(start);
    auto* b = static_cast<Event*>(end);
    if (!a->recorded || !b->recorded) return INVALID_HANDLE;
    *milliseconds = std::chrono::duration<float, std::milli>(b->time - a->time).count();
    return SUCCESS;
}

CUresult cuEventDestroy_v2(void* event) { NEEDS_CONTEXT(); delete static_cast<Event*>(event); return SUCCESS; }

}  // extern "C"
