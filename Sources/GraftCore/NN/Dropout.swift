/// A module that draws random numbers while training. Its generator is part of
/// a training checkpoint, so a resumed run draws exactly the same numbers.
public protocol Stochastic: AnyObject {
  var generator: Generator { get set }
}

/// Inverted dropout, as `torch.nn.Dropout`: active only in training mode (and
/// not when frozen), zeroing with probability `p` and scaling the rest by 1/(1−p).
public final class Dropout: Layer, Stochastic {
  public let probability: Float
  public var generator: Generator

  public init(_ probability: Float = 0.5, seed: UInt64 = 0) {
    precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) must be in [0, 1)")
    self.probability = probability
    generator = Generator(seed: seed)
    super.init()
  }

  public override func forward(_ x: Tensor) -> Tensor {
    dropout(x, probability: probability, training: isTraining && !isFrozen, using: &generator)
  }
}
