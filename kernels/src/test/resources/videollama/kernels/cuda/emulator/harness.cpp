// Checks the CUDA kernels' logic on the CPU (cuda_shim.h emulates the CUDA C they use) against plain C++
// references, at the launch shapes CudaOps uses (passed on the command line). Built and run by CudaEmulatorTest.
#include "cuda_shim.h"
#include <random>
#include <string>
#include "gemv.cu"
#include "rmsnorm.cu"
#include "embedding.cu"
#include "rope.cu"
#include "argmax.cu"
#include "attention.cu"

// CudaOps' launch parameters: threads of a GEMV block, of an element-wise / row block, attention slice, warps per
// attention block, threads of the attention merge, threads of argmax.
static unsigned GEMV_THREADS = 256, THREADS = 256, SLICE = 16, WARPS = 4, MERGE_THREADS = 128, ARGMAX_THREADS = 1024;

static std::mt19937 rng(std::random_device{}());
static std::vector<float> randn(size_t n) { std::normal_distribution<float> d; std::vector<float> v(n); for (auto& x : v) x = d(rng); return v; }
static int failures = 0;
static void check(const std::vector<float>& e, const float* a, size_t n, double tol, const std::string& what) {
    double md = 0, mr = 0;
    for (size_t i = 0; i < n; i++) {
        if (!std::isfinite(a[i])) { std::printf("FAIL %s: element %zu is %f\n", what.c_str(), i, a[i]); failures++; return; }
        md = std::max(md, (double)std::fabs(a[i] - e[i])); mr = std::max(mr, (double)std::fabs(e[i]));
    }
    double err = md / std::max(mr, 1e-30);
    std::printf("%s %s: rel err %.3g\n", err <= tol ? "ok  " : "FAIL", what.c_str(), err);
    if (err > tol) failures++;
}
static float poison() { unsigned u = 0x7fc0dead; return __uint_as_float(u); }

enum DT { F32, F16, BF16 };
static const char* dtname(DT d) { return d == F32 ? "F32" : d == F16 ? "F16" : "BF16"; }
// Weights in a 16-byte-aligned buffer in their storage type; `widened` gets the stored values as floats.
struct Weights { std::vector<uint4> storage; std::vector<float> widened; void* ptr() { return storage.data(); } };
static Weights make_weights(DT dt, size_t n) {
    Weights w; auto f = randn(n); w.widened.resize(n);
    size_t bytes = n * (dt == F32 ? 4 : 2); w.storage.resize(bytes / 16 + 1);
    for (size_t i = 0; i < n; i++) {
        if (dt == F32) { ((float*)w.ptr())[i] = f[i]; w.widened[i] = f[i]; }
        else if (dt == F16) { __half h = __float2half_rn(f[i]); ((__half*)w.ptr())[i] = h; w.widened[i] = __half2float(h); }
        else { unsigned u; std::memcpy(&u, &f[i], 4); unsigned r = (u + 0x7fff + ((u >> 16) & 1)) >> 16;
               ((unsigned short*)w.ptr())[i] = (unsigned short)r; w.widened[i] = __uint_as_float(r << 16); }
    }
    return w;
}
template <typename T> static T* aligned(std::vector<uint4>& s, size_t n) { s.assign(n * sizeof(T) / 16 + 2, uint4{}); return (T*)s.data(); }
static std::vector<float> matmul(const std::vector<float>& w, const std::vector<float>& x, int rows, int cols) {
    std::vector<float> out(rows); for (int r = 0; r < rows; r++) { double s = 0; for (int c = 0; c < cols; c++) s += (double)w[(size_t)r*cols+c] * x[c]; out[r] = (float)s; } return out;
}
struct Buf { std::vector<uint4> s; float* p; Buf(size_t n) { p = aligned<float>(s, n); } Buf(const std::vector<float>& v) { p = aligned<float>(s, v.size()); std::copy(v.begin(), v.end(), p); } };

static void test_matvec(int rows, int cols, DT dt, bool acc) {
    Weights w = make_weights(dt, (size_t)rows * cols); auto x = randn(cols); auto start = randn(rows);
    auto e = matmul(w.widened, x, rows, cols); if (acc) for (int r = 0; r < rows; r++) e[r] += start[r];
    Buf out(rows); for (int r = 0; r < rows; r++) out.p[r] = acc ? start[r] : poison(); Buf bx(x);
    dim3 g{(unsigned)((rows + GEMV_THREADS / 32 - 1) / (GEMV_THREADS / 32))}, b{GEMV_THREADS};
    if (dt == F32) emu_launch(matvec_f32, g, b, out.p, (const float*)w.ptr(), (const float*)bx.p, rows, cols, (int)acc);
    if (dt == F16) emu_launch(matvec_f16, g, b, out.p, (const __half*)w.ptr(), (const float*)bx.p, rows, cols, (int)acc);
    if (dt == BF16) emu_launch(matvec_bf16, g, b, out.p, (const __nv_bfloat16*)w.ptr(), (const float*)bx.p, rows, cols, (int)acc);
    check(e, out.p, rows, 1e-5, "matvec " + std::to_string(rows) + "x" + std::to_string(cols) + " " + dtname(dt) + (acc ? " acc" : ""));
}
static void test_qkv(int qr, int kvr, int cols, DT dt) {
    Weights wq = make_weights(dt, (size_t)qr*cols), wk = make_weights(dt, (size_t)kvr*cols), wv = make_weights(dt, (size_t)kvr*cols);
    auto x = randn(cols); Buf bx(x), q(qr), k(kvr), v(kvr);
    for (int i = 0; i < qr; i++) q.p[i] = poison(); for (int i = 0; i < kvr; i++) { k.p[i] = poison(); v.p[i] = poison(); }
    int rows = qr + 2 * kvr; dim3 g{(unsigned)((rows + GEMV_THREADS / 32 - 1) / (GEMV_THREADS / 32))}, b{GEMV_THREADS};
    if (dt == F32) emu_launch(qkv_matvec_f32, g, b, q.p, k.p, v.p, (const float*)wq.ptr(), (const float*)wk.ptr(), (const float*)wv.ptr(), (const float*)bx.p, qr, kvr, cols);
    if (dt == F16) emu_launch(qkv_matvec_f16, g, b, q.p, k.p, v.p, (const __half*)wq.ptr(), (const __half*)wk.ptr(), (const __half*)wv.ptr(), (const float*)bx.p, qr, kvr, cols);
    if (dt == BF16) emu_launch(qkv_matvec_bf16, g, b, q.p, k.p, v.p, (const __nv_bfloat16*)wq.ptr(), (const __nv_bfloat16*)wk.ptr(), (const __nv_bfloat16*)wv.ptr(), (const float*)bx.p, qr, kvr, cols);
    std::string n = std::to_string(qr) + "/" + std::to_string(kvr) + "x" + std::to_string(cols) + " " + dtname(dt);
    check(matmul(wq.widened, x, qr, cols), q.p, qr, 1e-5, "q " + n);
    check(matmul(wk.widened, x, kvr, cols), k.p, kvr, 1e-5, "k " + n);
    check(matmul(wv.widened, x, kvr, cols), v.p, kvr, 1e-5, "v " + n);
}
static void test_swiglu(int rows, int cols, DT dt) {
    Weights wg = make_weights(dt, (size_t)rows*cols), wu = make_weights(dt, (size_t)rows*cols); auto x = randn(cols);
    auto g = matmul(wg.widened, x, rows, cols), u = matmul(wu.widened, x, rows, cols);
    std::vector<float> e(rows); for (int r = 0; r < rows; r++) e[r] = (float)(g[r] / (1.0 + std::exp(-(double)g[r])) * u[r]);
    Buf out(rows), bx(x); for (int r = 0; r < rows; r++) out.p[r] = poison();
    dim3 gr{(unsigned)((rows + GEMV_THREADS / 32 - 1) / (GEMV_THREADS / 32))}, b{GEMV_THREADS};
    if (dt == F32) emu_launch(swiglu_matvec_f32, gr, b, out.p, (const float*)wg.ptr(), (const float*)wu.ptr(), (const float*)bx.p, rows, cols);
    if (dt == F16) emu_launch(swiglu_matvec_f16, gr, b, out.p, (const __half*)wg.ptr(), (const __half*)wu.ptr(), (const float*)bx.p, rows, cols);
    if (dt == BF16) emu_launch(swiglu_matvec_bf16, gr, b, out.p, (const __nv_bfloat16*)wg.ptr(), (const __nv_bfloat16*)wu.ptr(), (const float*)bx.p, rows, cols);
    check(e, out.p, rows, 1e-5, "swiglu " + std::to_string(rows) + "x" + std::to_string(cols) + " " + dtname(dt));
}
static void test_rmsnorm(int rows, int dim, bool inplace) {
    auto x = randn((size_t)rows*dim), w = randn(dim); std::vector<float> e(x.size());
    for (int r = 0; r < rows; r++) { double s = 0; for (int i = 0; i < dim; i++) s += (double)x[r*dim+i]*x[r*dim+i];
        float inv = (float)(1.0 / std::sqrt((float)(s / dim) + 1e-5f)); for (int i = 0; i < dim; i++) e[r*dim+i] = w[i] * (x[r*dim+i] * inv); }
    Buf bx(x), bw(w), out(x.size()); for (size_t i = 0; i < x.size(); i++) out.p[i] = poison();
    float* o = inplace ? bx.p : out.p;
    emu_launch(rms_norm, dim3{(unsigned)rows}, dim3{THREADS}, o, (const float*)bx.p, (const float*)bw.p, dim, 1e-5f);
    check(e, o, x.size(), 1e-5, "rmsnorm " + std::to_string(rows) + "x" + std::to_string(dim) + (inplace ? " in place" : ""));
}
static void test_embedding(DT dt) {
    int vocab = 29, dim = 67; Weights t = make_weights(dt, (size_t)vocab*dim); int ids[3] = {5, 17, 28};
    Buf out(dim); for (int i = 0; i < dim; i++) out.p[i] = poison();
    std::vector<float> e(t.widened.begin() + 28*dim, t.widened.begin() + 29*dim);
    dim3 g{(unsigned)((dim + THREADS - 1) / THREADS)}, b{THREADS};
    if (dt == F32) emu_launch(embedding_f32, g, b, out.p, (const float*)t.ptr(), (const int*)ids, 2, dim);
    if (dt == F16) emu_launch(embedding_f16, g, b, out.p, (const __half*)t.ptr(), (const int*)ids, 2, dim);
    if (dt == BF16) emu_launch(embedding_bf16, g, b, out.p, (const __nv_bfloat16*)t.ptr(), (const int*)ids, 2, dim);
    check(e, out.p, dim, 0, std::string("embedding ") + dtname(dt));
}
static void test_argmax() {
    auto x = randn(32003); x[20011] = 50; x[30000] = 50; int out = -1;
    emu_launch(argmax, dim3{1}, dim3{ARGMAX_THREADS}, &out, (const float*)x.data(), (int)x.size());
    std::printf("%s argmax ties: %d\n", out == 20011 ? "ok  " : "FAIL", out); failures += out != 20011;
    float small[3] = {-3, -1, -2}; emu_launch(argmax, dim3{1}, dim3{ARGMAX_THREADS}, &out, (const float*)small, 3);
    std::printf("%s argmax small: %d\n", out == 1 ? "ok  " : "FAIL", out); failures += out != 1;
    std::vector<float> y(5000); for (auto& v : y) v = 1.0f; emu_launch(argmax, dim3{1}, dim3{ARGMAX_THREADS}, &out, (const float*)y.data(), 5000);
    std::printf("%s argmax all equal: %d\n", out == 0 ? "ok  " : "FAIL", out); failures += out != 0;
}
// rope + cache write + decode attention, as CudaOps launches them (slice 16, 4 warps a block)
static void test_attention(int heads, int kvh, int hd, int start, int capacity, bool f16) {
    int qdim = heads*hd, kvdim = kvh*hd, half = hd/2;
    std::vector<float> table(2 * capacity * half);
    std::vector<float> invf(half); for (int i = 0; i < half; i++) invf[i] = (float)(1.0 / (float)std::pow(10000.0, (float)(2*i)/hd));
    for (int p = 0; p < capacity; p++) for (int i = 0; i < half; i++) { float a = (float)p * invf[i]; table[p*half+i] = (float)std::cos(a); table[(capacity+p)*half+i] = (float)std::sin(a); }
    auto keys = randn((size_t)capacity*kvdim), values = randn((size_t)capacity*kvdim);
    auto q = randn(qdim), k = randn(kvdim), v = randn(kvdim);
    auto rot = [&](std::vector<float>& x, int nh) { for (int h = 0; h < nh; h++) for (int i = 0; i < half; i++) { float c = table[start*half+i], s = table[(capacity+start)*half+i];
        float a = x[h*hd+i], b = x[h*hd+i+half]; x[h*hd+i] = a*c - b*s; x[h*hd+i+half] = b*c + a*s; } };
    auto qr = q, kr = k; rot(qr, heads); rot(kr, kvh);
    for (int i = 0; i < kvdim; i++) { keys[(size_t)start*kvdim+i] = kr[i]; values[(size_t)start*kvdim+i] = v[i]; }
    if (f16) { for (auto& x : keys) x = __half2float(__float2half_rn(x)); for (auto& x : values) x = __half2float(__float2half_rn(x)); }
    std::vector<float> e(qdim); float scale = (float)(1.0 / std::sqrt((double)hd));
    for (int h = 0; h < heads; h++) { int off = (h / (heads/kvh)) * hd; std::vector<double> sc(start+1); double mx = -1e300;
        for (int p = 0; p <= start; p++) { float d = 0; for (int i = 0; i < hd; i++) d += qr[h*hd+i]*keys[(size_t)p*kvdim+off+i]; sc[p] = d*scale; mx = std::max(mx, sc[p]); }
        double sum = 0; for (auto& s : sc) { s = std::exp(s - mx); sum += s; }
        for (int i = 0; i < hd; i++) { double a = 0; for (int p = 0; p <= start; p++) a += sc[p]/sum * values[(size_t)p*kvdim+off+i]; e[h*hd+i] = (float)a; } }
    // device buffers: the cache rows before start hold the old values, the row at start garbage
    std::vector<uint4> ks, vs; Buf dq(q), dk(k), dv(v), dt(table), out(qdim); for (int i = 0; i < qdim; i++) out.p[i] = poison();
    void* kc; void* vc;
    if (f16) { auto* a = aligned<__half>(ks, (size_t)capacity*kvdim); auto* b = aligned<__half>(vs, (size_t)capacity*kvdim);
        for (size_t i = 0; i < (size_t)capacity*kvdim; i++) { a[i] = __float2half_rn(i / kvdim == (size_t)start ? 1e4f : keys[i]); b[i] = __float2half_rn(i / kvdim == (size_t)start ? 1e4f : values[i]); } kc = a; vc = b; }
    else { auto* a = aligned<float>(ks, (size_t)capacity*kvdim); auto* b = aligned<float>(vs, (size_t)capacity*kvdim);
        for (size_t i = 0; i < (size_t)capacity*kvdim; i++) { a[i] = i / kvdim == (size_t)start ? 1e4f : keys[i]; b[i] = i / kvdim == (size_t)start ? 1e4f : values[i]; } kc = a; vc = b; }
    int pos[1] = {start};
    int pairs = (heads + kvh) * half;
    dim3 rg{(unsigned)((pairs + THREADS - 1) / THREADS)}, rb{THREADS};
    if (f16) emu_launch(rope_cache_write_f16, rg, rb, dq.p, dk.p, (const float*)dv.p, (__half*)kc, (__half*)vc, (const float*)dt.p, capacity, (const int*)pos, heads, kvh, hd);
    else emu_launch(rope_cache_write_f32, rg, rb, dq.p, dk.p, (const float*)dv.p, (float*)kc, (float*)vc, (const float*)dt.p, capacity, (const int*)pos, heads, kvh, hd);
    const int slice = SLICE, warps = WARPS; int slices = (capacity + slice - 1) / slice; int groups = (slices + warps - 1) / warps; int parts = groups * warps;
    Buf partial((size_t)heads * parts * (2 + hd)); for (size_t i = 0; i < (size_t)heads*parts*(2+hd); i++) partial.p[i] = poison();
    if (f16) emu_launch(attention_partial_f16, dim3{(unsigned)heads, (unsigned)groups}, dim3{32u*warps}, partial.p, (const float*)dq.p, (const __half*)kc, (const __half*)vc, (const int*)pos, heads, kvh, hd, slice, scale);
    else emu_launch(attention_partial_f32, dim3{(unsigned)heads, (unsigned)groups}, dim3{32u*warps}, partial.p, (const float*)dq.p, (const float*)kc, (const float*)vc, (const int*)pos, heads, kvh, hd, slice, scale);
    emu_launch(attention_merge, dim3{(unsigned)heads}, dim3{MERGE_THREADS}, out.p, (const float*)partial.p, (const int*)pos, hd, parts, slice, 0u);
    std::string n = std::to_string(heads) + "/" + std::to_string(kvh) + " hd " + std::to_string(hd) + " pos " + std::to_string(start) + " cap " + std::to_string(capacity) + (f16 ? " F16" : " F32");
    check(qr, dq.p, qdim, 1e-5, "rotated q " + n); check(kr, dk.p, kvdim, 1e-5, "rotated k " + n);
    check(e, out.p, qdim, f16 ? 1e-3 : 1e-5, "attention " + n);
}

int main(int argc, char** argv) {
    if (argc == 7) {
        GEMV_THREADS = std::atoi(argv[1]); THREADS = std::atoi(argv[2]); SLICE = std::atoi(argv[3]);
        WARPS = std::atoi(argv[4]); MERGE_THREADS = std::atoi(argv[5]); ARGMAX_THREADS = std::atoi(argv[6]);
    }
    test_matvec(1, 1, F32, false); test_matvec(37, 53, F32, false); test_matvec(130, 300, F16, false); test_matvec(65, 1001, BF16, true);
    test_matvec(3, 4096, F32, true); test_matvec(19, 264, F16, true); test_matvec(9, 136, BF16, false); test_matvec(11, 1028, F32, false); test_matvec(5, 7, F16, false);
    test_qkv(1, 1, 1, F32); test_qkv(64, 32, 64, F32); test_qkv(96, 24, 97, F16); test_qkv(40, 24, 33, BF16); test_qkv(24, 8, 256, BF16); test_qkv(16, 8, 128, F16);
    test_swiglu(1, 3, F32); test_swiglu(45, 77, F32); test_swiglu(172, 64, F16); test_swiglu(33, 129, BF16); test_swiglu(20, 512, BF16); test_swiglu(12, 516, F32);
    test_rmsnorm(1, 1, false); test_rmsnorm(1, 64, false); test_rmsnorm(3, 97, false); test_rmsnorm(2, 5120, false); test_rmsnorm(2, 300, true);
    test_embedding(F32); test_embedding(F16); test_embedding(BF16);
    test_argmax();
    test_attention(4, 4, 8, 0, 5, false); test_attention(8, 2, 16, 37, 42, false); test_attention(6, 3, 10, 100, 105, false);
    test_attention(8, 4, 8, 70, 75, true); test_attention(32, 32, 128, 9, 14, true); test_attention(4, 2, 64, 9, 300, false);
    test_attention(4, 1, 256, 290, 300, true); test_attention(2, 2, 128, 63, 64, false); test_attention(2, 1, 40, 64, 65, false);
    std::printf(failures ? "%d FAILURES\n" : "all ok\n", failures);
    return failures != 0;
}
