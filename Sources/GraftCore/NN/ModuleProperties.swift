/// A trainable tensor of a module. Its state-dict key is the property name
/// unless `key:` gives PyTorch's (e.g. `weight_ih_l0`).
///
/// The wrapper is a class so that the module tree can find and replace the
/// tensor through reflection without knowing the concrete module type.
@propertyWrapper
public final class Param {
  public var wrappedValue: Tensor {
    didSet { wrappedValue.requiresGrad = !frozen }
  }
  public let key: String?
  var frozen = false

  public init(wrappedValue: Tensor, key: String? = nil) {
    self.wrappedValue = wrappedValue
    self.key = key
    wrappedValue.requiresGrad = true
  }
}

/// A non-trainable tensor that is part of a module's state (running statistics).
@propertyWrapper
public final class Buffer {
  public var wrappedValue: Tensor
  public let key: String?

  public init(wrappedValue: Tensor, key: String? = nil) {
    self.wrappedValue = wrappedValue
    self.key = key
  }
}
