#if canImport(Glibc)
import Glibc
#endif

// MARK: - Broadcasting binary arithmetic

extension Tensor {
  /// `self ∘ other` with NumPy broadcasting, recording the backward when needed.
  public func binary(_ op: BinaryOp, _ other: Tensor) -> Tensor {
    let outShape = shape == other.shape ? shape : Shape.broadcast(shape, other.shape, "\(op)")
    let out = Tensor(uninitializedShape: outShape)
    Kernels.broadcastBinary(op, out: out.data, outShape: outShape, a: data, aShape: shape,
                            b: other.data, bShape: other.shape)
    if Tensor.needsGradient(self, other) {
      let a = self, b = other
      let yStorage = out.storage
      out.record("\(op)", [a, b]) { g in
        let ga: Tensor?, gb: Tensor?
        switch op {
        case .add:
          ga = a.requiresGrad ? g.summed(toShape: a.shape) : nil
          gb = b.requiresGrad ? g.summed(toShape: b.shape) : nil
        case .subtract:
          ga = a.requiresGrad ? g.summed(toShape: a.shape) : nil
          gb = b.requiresGrad ? (-g).summed(toShape: b.shape) : nil
        case .multiply:
          ga = a.requiresGrad ? (g * b).summed(toShape: a.shape) : nil
          gb = b.requiresGrad ? (g * a).summed(toShape: b.shape) : nil
        case .divide:
          ga = a.requiresGrad ? (g / b).summed(toShape: a.shape) : nil
          // ∂(a/b)/∂b = -(a/b)/b = -y/b
          let y = Tensor(shape: outShape, storage: yStorage)
          gb = b.requiresGrad ? (-(g * y) / b).summed(toShape: b.shape) : nil
        case .maximum, .minimum:
          // The gradient goes to the chosen input (to `a` on ties, as the forward picks `a`).
          let y = Tensor(shape: outShape, storage: yStorage)
          let pickA = y.binary(.subtract, a).mapValues { $0 == 0 ? 1 : 0 }
          ga = a.requiresGrad ? (g * pickA).summed(toShape: a.shape) : nil
          gb = b.requiresGrad ? (g * (1 - pickA)).summed(toShape: b.shape) : nil
        }
        return [ga, gb]
      }
    }
    return out
  }

  /// Sums a broadcast gradient back to `target` (the inverse of broadcasting).
  public func summed(toShape target: [Int]) -> Tensor {
    if shape == target { return self }
    var t = self
    let lead = rank - target.count
    precondition(lead >= 0, "summed(toShape:): \(shape) → \(target)")
    if lead > 0 { t = t.sum(axes: Array(0..<lead)) }
    let axes = (0..<target.count).filter { target[$0] == 1 && t.shape[$0] != 1 }
    if !axes.isEmpty { t = t.sum(axes: axes, keepDims: true) }
    return t.shape == target ? t : t.reshaped(target)
  }

  /// Applies `f` to every element without recording anything (a constant result).
  public func mapValues(_ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    for i in 0..<count { out.data[i] = f(data[i]) }
    return out
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor { a.binary(.add, b) }
  public static func - (a: Tensor, b: Tensor) -> Tensor { a.binary(.subtract, b) }
  public static func * (a: Tensor, b: Tensor) -> Tensor { a.binary(.multiply, b) }
  public static func / (a: Tensor, b: Tensor) -> Tensor { a.binary(.divide, b) }
  public static func + (a: Tensor, b: Float) -> Tensor { a.binary(.add, Tensor(b)) }
  public static func - (a: Tensor, b: Float) -> Tensor { a.binary(.subtract, Tensor(b)) }
  public static func * (a: Tensor, b: Float) -> Tensor { a.binary(.multiply, Tensor(b)) }
  public static func / (a: Tensor, b: Float) -> Tensor { a.binary(.divide, Tensor(b)) }
  public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a).binary(.add, b) }
  public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a).binary(.subtract, b) }
  public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a).binary(.multiply, b) }
  public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a).binary(.divide, b) }
  public static prefix func - (a: Tensor) -> Tensor { a.unary("neg", NegateFunction.self) }

  public func maximum(_ other: Tensor) -> Tensor { binary(.maximum, other) }
  public func minimum(_ other: Tensor) -> Tensor { binary(.minimum, other) }
}

// MARK: - Unary math

extension Tensor {
  /// y = F(x) elementwise; the backward multiplies ∂L/∂y by F's derivative.
  func unary<F: UnaryFunctor>(_ name: String, _: F.Type) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    Kernels.mapUnary(F.self, out.data, data, count: count)
    if Tensor.needsGradient(self) {
      let x = self, yStorage = out.storage, shape = self.shape
      out.record(name, [x]) { g in
        let gx = Tensor(uninitializedShape: shape)
        Kernels.unaryBackward(F.self, gx.data, g.data, x.data, yStorage.pointer, count: x.count)
        return [gx]
      }
    }
    return out
  }

  /// y = f(x) for a function with run-time parameters (pow, clamp).
  func unary(_ name: String, _ f: @escaping (Float) -> Float, _ derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    for i in 0..<count { out.data[i] = f(data[i]) }
    if Tensor.needsGradient(self) {
      let x = self, yStorage = out.storage, shape = self.shape
      out.record(name, [x]) { g in
        let gx = Tensor(uninitializedShape: shape)
        for i in 0..<x.count { gx.data[i] = g.data[i] * derivative(x.data[i], yStorage.pointer[i]) }
        return [gx]
      }
    }
    return out
  }

  public func exp() -> Tensor { unary("exp", ExpFunction.self) }
  public func log() -> Tensor { unary("log", LogFunction.self) }
  public func sqrt() -> Tensor { unary("sqrt", SqrtFunction.self) }
  public func tanh() -> Tensor { unary("tanh", TanhFunction.self) }
  public func sigmoid() -> Tensor { unary("sigmoid", SigmoidFunction.self) }
  public func relu() -> Tensor { unary("relu", ReLUFunction.self) }
  /// min(max(x, 0), 6), as `torch.nn.ReLU6`.
  public func relu6() -> Tensor { unary("relu6", ReLU6Function.self) }
  /// Exact GELU, x·Φ(x) with the error function (`torch.nn.GELU()` default).
  public func gelu() -> Tensor { unary("gelu", GELUFunction.self) }
  public func square() -> Tensor { unary("square", SquareFunction.self) }
  public func abs() -> Tensor { unary("abs", AbsFunction.self) }
  /// x^p for a constant exponent.
  public func pow(_ p: Float) -> Tensor {
    unary("pow", { Glibc.powf($0, p) }, { x, _ in p * Glibc.powf(x, p - 1) })
  }
  /// Clamps to [low, high]; the gradient is 1 strictly inside.
  public func clamped(_ low: Float, _ high: Float) -> Tensor {
    unary("clamp", { Swift.min(Swift.max($0, low), high) }, { x, _ in x > low && x < high ? 1 : 0 })
  }
}
