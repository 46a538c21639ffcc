#if canImport(Glibc)
import Glibc
#endif

/// An elementwise binary operation as a type, so kernels specialise on it and
/// inline it (a closure captured by a parallel loop would be called per element).
public protocol BinaryFunctor {
  static func apply(_ a: Float, _ b: Float) -> Float
}

/// An elementwise unary function and its derivative (given x and y = f(x)).
public protocol UnaryFunctor {
  static func value(_ x: Float) -> Float
  static func derivative(_ x: Float, _ y: Float) -> Float
}

enum AddOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubtractOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MultiplyOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivideOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaximumOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b || a.isNaN ? a : b } }
enum MinimumOp: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b || a.isNaN ? a : b } }

enum NegateFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { -x }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { -1 }
}
enum ExpFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { expf(x) }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { y }
}
enum LogFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { logf(x) }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}
enum SqrtFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { x.squareRoot() }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
enum TanhFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { tanhf(x) }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
enum SigmoidFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }  // stable for large |x|
    let e = expf(x)
    return e / (1 + e)
  }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
enum ReLUFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { x > 0 ? x : 0 }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
enum ReLU6Function: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { x > 0 ? (x < 6 ? x : 6) : 0 }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > 0 && x < 6 ? 1 : 0 }
}
enum GELUFunction: UnaryFunctor {
  /// Exact GELU, x·Φ(x).
  @inline(__always) static func value(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float {
    let cdf = 0.5 * (1 + erff(x * 0.70710678118654752))
    let pdf = expf(-0.5 * x * x) * 0.39894228040143268
    return cdf + x * pdf
  }
}
enum SquareFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { x * x }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 2 * x }
}
enum AbsFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { Swift.abs(x) }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
