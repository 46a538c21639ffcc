/// `torch.nn.MaxPool2d` (stride defaults to the kernel size).
public final class MaxPool2d: Layer {
  public let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
    kernel = (kernelSize, kernelSize)
    self.stride = (stride ?? kernelSize, stride ?? kernelSize)
    self.padding = (padding, padding)
    self.ceilMode = ceilMode
    super.init()
  }
  public override func forward(_ x: Tensor) -> Tensor {
    maxPool2d(x, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
  }
}

/// `torch.nn.AvgPool2d` (stride defaults to the kernel size).
public final class AvgPool2d: Layer {
  public let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool, countIncludePad: Bool
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
    kernel = (kernelSize, kernelSize)
    self.stride = (stride ?? kernelSize, stride ?? kernelSize)
    self.padding = (padding, padding)
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
    super.init()
  }
  public override func forward(_ x: Tensor) -> Tensor {
    avgPool2d(x, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
  }
}

/// `torch.nn.AdaptiveAvgPool2d(1)`: [N, C, H, W] → [N, C, 1, 1].
public final class AdaptiveAvgPool2d: Layer {
  public init(outputSize: Int = 1) {
    precondition(outputSize == 1, "AdaptiveAvgPool2d: only output size 1 is supported, got \(outputSize)")
    super.init()
  }
  public override func forward(_ x: Tensor) -> Tensor { globalAveragePool2d(x) }
}
