"""Symbol tables and C expression types (analysis/symbols.py, analysis/ctype.py)."""
from __future__ import annotations

import pytest

import xpiler
from xpiler import ir
from xpiler.analysis import ctype
from xpiler.analysis.symbols import (Scope, ScopeStack, Symbol, SymbolTable, builtin_scope, intrinsic_return,
                                     type_of)
from xpiler import dialects


def _parse(src: str, path: str = "k.cu") -> ir.Module:
    m = xpiler.parse(src, path=path)
    assert not [d for d in m.diagnostics if d.severity == "error"], m.diagnostics
    return m


def _spelling(t) -> str:
    return xpiler.print_node(t) if t is not None else "None"


def _types(src: str, fn: str = "k", path: str = "k.cu") -> dict[str, str]:
    """The type of the initialiser of every local, by the local's name."""
    m = _parse(src, path)
    table = SymbolTable(m.function(fn), m)
    out = {}
    for n in m.function(fn).body.walk():
        if isinstance(n, ir.VarDecl) and n.init is not None:
            out[n.name] = _spelling(table.type_of(n.init))
    return out


def test_usual_arithmetic_conversions_and_promotions():
    t = _types("""
__device__ int helper(float);
__global__ void k(int i, unsigned u, long l, short s, unsigned short us, unsigned char c, size_t z, float f,
                  double d, long long ll, unsigned long ul) {
    auto a1 = i + u;      auto a2 = i * l;      auto a3 = s + s;     auto a4 = us * us;
    auto a5 = c - c;      auto a6 = z + i;      auto a7 = f + i;     auto a8 = f * d;
    auto a9 = l + u;      auto a10 = ll + ul;   auto a11 = u << l;   auto a12 = s << 2;
    auto a13 = i < u;     auto a14 = -c;        auto a15 = ~us;      auto a16 = !f;
    auto a17 = i ? f : d; auto a18 = (char)i;   auto a19 = sizeof(i); auto a20 = helper(1.0f);
    auto a21 = (i, f);    auto a22 = i += 2.5;
}""")
    assert t == {
        "a1": "unsigned int", "a2": "long", "a3": "int", "a4": "int", "a5": "int", "a6": "size_t",
        "a7": "float", "a8": "double", "a9": "long", "a10": "unsigned long long", "a11": "unsigned int",
        "a12": "int", "a13": "bool", "a14": "int", "a15": "int", "a16": "bool", "a17": "double",
        "a18": "char", "a19": "size_t", "a20": "int", "a21": "float", "a22": "int",
    }


def test_literal_types():
    t = _types("""
void k() {
    long long a = 1, b = 1u, c = 2147483648, d = 0x80000000, e = 1l, f = 1ull, g = 4294967296u;
    double h = 1.0f, i = 1.0, j = 1e3f, k2 = 'a', l = "s"[0];
}""", path="k.c")
    assert t == {"a": "int", "b": "unsigned int", "c": "long", "d": "unsigned int", "e": "long",
                 "f": "unsigned long long", "g": "unsigned long", "h": "float", "i": "double", "j": "float",
                 "k2": "int", "l": "const char"}  # 'a' is an int in C


def test_pointers_arrays_and_members():
    t = _types("""
struct S { int v; };
__global__ void k(float *x, const float *__restrict__ y, float4 *v, S *s) {
    __shared__ float tile[16][17];
    auto p1 = x + 1;      auto p2 = 2 + x;       auto p3 = x - x;      auto p4 = x[3];
    auto p5 = *y;         auto p6 = &x[1];        auto p7 = tile[1];    auto p8 = tile[1][2];
    auto p9 = threadIdx.x; auto p10 = blockDim.y * 2; auto p11 = v->y; auto p12 = v[0].w;
    auto p13 = s->v;      auto p14 = 3[x];        auto p15 = &tile;    auto p16 = warpSize;
}""")
    assert t["p1"] == "float *" and t["p2"] == "float *" and t["p3"] == "ptrdiff_t"
    assert t["p4"] == "float" and t["p5"] == "const float" and t["p6"] == "float *"
    assert t["p7"] == "float [17]" and t["p8"] == "float"
    assert t["p9"] == "unsigned int" and t["p10"] == "unsigned int"
    assert t["p11"] == "float" and t["p12"] == "float"
    assert t["p13"] == "None"  # a struct member: not modelled
    assert t["p14"] == "float" and t["p15"].startswith("float") and t["p16"] == "int"


def test_intrinsic_return_types_follow_the_overload():
    t = _types("""
__global__ void k(float *x, int i, unsigned u, double d) {
    auto a = fmaxf(x[0], 1.0f);               auto b = __shfl_sync(0xffffffffu, x[0], 0, 32);
    auto c = __shfl_sync(0xffffffffu, i, 0, 32); auto e = max(i, u);  auto f = max(i, i);
    auto g = sqrt(d);                          auto h = atomicAdd(&x[0], 1.0f); auto j = __float2int_rn(x[0]);
}""")
    assert t == {"a": "float", "b": "float", "c": "int", "e": "unsigned int", "f": "int", "g": "double",
                 "h": "float", "j": "int"}
    cuda = dialects.get("cuda")
    # arguments of unknown type decide nothing: the common return type, or None when they differ
    assert _spelling(intrinsic_return(cuda.intrinsic("fmaxf"), [None, None])) == "float"
    assert intrinsic_return(cuda.intrinsic("max"), [None, None]) is None


def test_block_scopes_and_shadowing():
    m = _parse("""
__global__ void k(float *x, int n) {
    int i = threadIdx.x;
    x[i] = 0;
    {
        float i = 0.5f;
        x[0] = i;
        for (long i = 0; i < n; ++i) x[i] = 1;
        x[1] = i;
    }
    x[i + 1] = 2;
}""")
    f = m.function("k")
    table = SymbolTable(f, m)
    seen = []
    for node in f.body.walk():
        if isinstance(node, ir.Name) and node.name == "i":
            sym = table.resolve(node)
            seen.append(_spelling(sym.type))
    # x[i] (int), x[0] = i (float), the for's condition, step and body (long), x[1] = i (float), x[i + 1]
    assert seen == ["int", "float", "long", "long", "long", "float", "int"]
    assert table.resolve(next(n for n in f.body.walk() if isinstance(n, ir.Name) and n.name == "x")).kind == "param"
    # a declaration takes effect after its declarator: the scope at the Decl does not hold it
    decl = f.body.stmts[0]
    assert table.scope_at(decl).lookup("i") is None
    assert table.scope_at(f.body.stmts[1]).lookup("i").type == ir.Named("int")
    assert [s.name for s in table.declarations] == ["x", "n", "i", "i", "i"]
    with pytest.raises(ValueError):
        table.scope_at(ir.Name("elsewhere"))


def test_file_scope_globals_functions_and_builtins():
    m = _parse("""
__constant__ float coeffs[4];
__device__ int helper(int v) { return v * 2; }
__global__ void k(float *x) { x[threadIdx.x] = coeffs[0] + helper(blockIdx.x); }
""")
    table = SymbolTable(m.function("k"), m)
    scope = table.scope_at(m.function("k").body)
    assert scope.lookup("coeffs").kind == "global" and scope.lookup("coeffs").space == "constant"
    assert scope.lookup("helper").kind == "function"
    tid = scope.lookup("threadIdx")
    assert tid.kind == "builtin" and tid.fields == ("x", "y", "z")
    bang = builtin_scope("bang")
    assert bang.lookup("taskId").type == ir.Named("int") and bang.lookup("threadIdx") is None


def test_scope_is_persistent_and_stack_is_mutable():
    root = Scope({"a": Symbol("a", ir.Named("int"), "global")})
    inner = root.bind(Symbol("a", ir.Named("float"), "local"))
    assert root.lookup("a").type == ir.Named("int") and inner.lookup("a").type == ir.Named("float")
    stack = ScopeStack(root)
    stack.push()
    stack.add("p", ir.Pointer(ir.Named("float")))
    stack.add("v", ir.VarDecl("v", ir.Named("int"), space="shared"))
    assert stack.get("p").is_pointer and stack.get("v").space == "shared"
    assert type_of(ir.Index(ir.Name("p"), ir.IntLit(0)), stack.scope) == ir.Named("float")
    stack.pop()
    assert stack.get("p") is None and stack.get("a").kind == "global"


def test_ctype_tables():
    assert ctype.int_type(ir.Named("long unsigned int")) == ctype.ULONG
    assert ctype.int_type(ir.Named("uint64_t")) == ctype.ULONG
    assert ctype.int_type(ir.Named("int8_t")).width == 8
    assert ctype.int_type(ir.Named("x_t", canonical="unsigned int")) == ctype.UINT
    assert ctype.int_type(ir.Named("float")) is None and ctype.float_rank(ir.Named("half")) == 0
    assert ctype.UINT.wrap(-1) == 4294967295 and ctype.INT.wrap(2 ** 31) == -(2 ** 31)
    assert ctype.parse_type("const T *") == ir.Pointer(ir.Named("T", const=True))
    assert ctype.parse_type("float *__restrict__").restrict
