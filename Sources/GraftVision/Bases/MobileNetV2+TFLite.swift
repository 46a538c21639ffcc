import GraftCore

extension MobileNetV2 {
  /// A TFLite MobileNetV2 (TF-slim's, as the Coral `mobilenet_v2_1.0_224_quant.tflite`) mapped onto
  /// this class's torchvision `state_dict` keys, with what the file says about its input.
  public struct TFLiteWeights {
    /// Every key of `MobileNetV2(widthMultiplier:classCount:)`: convolution weights as OIHW
    /// (depthwise [C, 1, H, W]), each BatchNorm an identity carrying the bias TFLite folded into
    /// the convolution (weight 1, bias b, running mean 0, running variance 1 − 10⁻⁵, so
    /// (x − 0)/√(var + ε) is x for the default ε = 10⁻⁵), `classifier.1` from the 1×1 logits conv.
    public var stateDict: [String: Tensor]
    public var widthMultiplier: Double
    /// Output classes (1001 for the ImageNet models: class 0 is "background").
    public var classCount: Int
    public var inputHeight: Int
    public var inputWidth: Int
    /// The normalization of [0, 1] pixels that gives the float values the graph's input
    /// quantization stands for: a uint8 input with scale s and zero point z means s·(255·p − z),
    /// i.e. mean z/255 and std 1/(255·s) — for the ImageNet file (p·255 − 128)/128, mean and std
    /// 128/255. nil for a float input (the file does not say).
    public var normalization: Normalization?
    /// The padding of the 3×3 convolutions. TFLite's `SAME` pads stride-2 layers 0 before and 1
    /// after (PyTorch pads 1 on both sides), so the network must run with TF SAME padding to
    /// reproduce the file's outputs.
    public var padding: TFLitePadding
  }

  /// Reads `path` and maps it (see `tfliteWeights(_:widthMultiplier:)`).
  public static func tfliteWeights(path: String, widthMultiplier: Double = 1) throws(TFLiteError) -> TFLiteWeights {
    try tfliteWeights(TFLiteModel.read(path), widthMultiplier: widthMultiplier)
  }

  /// Recognises `model`'s subgraph 0 as a MobileNetV2 of `widthMultiplier` and maps its weights.
  ///
  /// The graph is walked in operator order and checked structurally against the inverted-residual
  /// table this class is built from: the stem CONV_2D (3×3, stride 2, ReLU6); per block an
  /// optional 1×1 expansion CONV_2D (ReLU6), a 3×3 DEPTHWISE_CONV_2D (the block's stride,
  /// multiplier 1, ReLU6), a linear 1×1 projection CONV_2D, and an ADD of the block's input when
  /// the stride is 1 and the width unchanged; the last 1×1 CONV_2D (ReLU6); a global
  /// AVERAGE_POOL_2D; a linear 1×1 CONV_2D (or FULLY_CONNECTED) to the classes; then only
  /// RESHAPE/SOFTMAX. Each operator must consume the previous one's output, and every weight
  /// must have the shape the table implies. The first thing that differs is thrown as
  /// `unexpectedGraph`, naming the operator and the torchvision module it was to fill.
  public static func tfliteWeights(_ model: TFLiteModel, widthMultiplier: Double = 1) throws(TFLiteError) -> TFLiteWeights {
    var walk = try TFLiteWalk(model)
    var input = makeDivisible(32 * widthMultiplier)
    let lastChannel = makeDivisible(1280 * max(1.0, widthMultiplier))
    try walk.conv("features.0.0", bn: "features.0.1", input: 3, output: input, kernel: 3, stride: 2, activation: .relu6)
    var block = 1
    for (t, c, n, s) in settings {
      let output = makeDivisible(Double(c) * widthMultiplier)
      for i in 0..<n {
        let stride = i == 0 ? s : 1
        let hidden = Int((Double(input) * Double(t)).rounded())
        let blockInput = walk.current
        var slot = 0
        func next() -> String { defer { slot += 1 }; return "features.\(block).conv.\(slot)" }
        if t != 1 {
          let module = next()
          try walk.conv(module + ".0", bn: module + ".1", input: input, output: hidden, kernel: 1, stride: 1, activation: .relu6)
        }
        let depthwise = next()
        try walk.conv(depthwise + ".0", bn: depthwise + ".1", input: hidden, output: hidden, kernel: 3, stride: stride,
                      activation: .relu6, depthwise: true)
        let projection = next()
        try walk.conv(projection, bn: next(), input: hidden, output: output, kernel: 1, stride: 1, activation: .none)
        if stride == 1 && input == output { try walk.residual(blockInput, module: "features.\(block)") }
        input = output
        block += 1
      }
    }
    try walk.conv("features.\(block).0", bn: "features.\(block).1", input: input, output: lastChannel, kernel: 1,
                  stride: 1, activation: .relu6)
    try walk.globalAveragePool()
    let classCount = try walk.classifier(input: lastChannel)
    try walk.end()
    return TFLiteWeights(
      stateDict: walk.state, widthMultiplier: widthMultiplier, classCount: classCount, inputHeight: walk.inputShape[1],
      inputWidth: walk.inputShape[2], normalization: walk.normalization, padding: walk.padding ?? .same)
  }
}

/// The operator-by-operator walk behind `MobileNetV2.tfliteWeights`: a cursor into subgraph 0,
/// the tensor that flows between operators, and the state dict filled so far.
private struct TFLiteWalk {
  let model: TFLiteModel
  var cursor = 0
  /// The activation tensor the next operator must consume.
  var current: Int
  var state: [String: Tensor] = [:]
  /// The padding of the 3×3 convolutions (they must all agree).
  var padding: TFLitePadding?
  let inputShape: [Int]
  let normalization: Normalization?

  init(_ model: TFLiteModel) throws(TFLiteError) {
    self.model = model
    let inputs = model.inputs  // checked to be tensors of subgraph 0 when the file was read
    guard inputs.count == 1 else {
      throw TFLiteError(path: model.path, reason: .unexpectedGraph(location: "subgraph 0 inputs", expected: "one image input",
                                                                  found: "\(inputs.count) inputs"))
    }
    let input = model.tensors[inputs[0]]
    guard input.shape.count == 4, input.shape[0] == 1, input.shape[3] == 3 else {
      throw TFLiteError(path: model.path, reason: .unexpectedGraph(
        location: "input tensor '\(input.name)'", expected: "shape [1, H, W, 3]", found: "\(input.shape)"))
    }
    current = inputs[0]
    inputShape = input.shape
    normalization = Self.normalization(of: input)
  }

  /// The [0, 1]-pixel normalization the input's quantization implies: float = s·(q − z) with
  /// q = 255·p (uint8) or 255·p − 128 (int8).
  static func normalization(of input: TFLiteTensor) -> Normalization? {
    guard let q = input.quantization, q.scales.count == 1, q.scales[0] > 0, q.scales[0].isFinite,
          input.type == .uint8 || input.type == .int8 else { return nil }
    let zero = Float(q.zeroPoints.first ?? 0) + (input.type == .int8 ? 128 : 0)
    let std = 1 / (255 * q.scales[0])
    return Normalization(mean: [Float](repeating: zero / 255, count: 3), std: [Float](repeating: std, count: 3))
  }

  func fail(_ location: String, expected: String, found: String) -> TFLiteError {
    TFLiteError(path: model.path, reason: .unexpectedGraph(location: location, expected: expected, found: found))
  }

  /// The next operator, which must be `kind` (one of) and consume `current` as its first input.
  mutating func next(_ kinds: [TFLiteBuiltinOperator], for module: String) throws(TFLiteError) -> (String, TFLiteOperator) {
    let expected = kinds.map(\.name).joined(separator: " or ")
    guard cursor < model.operators.count else {
      throw fail("after operator \(cursor - 1) (for \(module))", expected: expected, found: "the end of the graph")
    }
    let op = model.operators[cursor]
    let location = "operator \(cursor) (for \(module))"
    cursor += 1
    guard kinds.contains(op.builtin) else { throw fail(location, expected: expected, found: op.builtin.name) }
    guard op.inputs.first == current, op.outputs.count == 1, op.outputs[0] >= 0 else {
      throw fail(location, expected: "input tensor \(current) and one output",
                 found: "inputs \(op.inputs), outputs \(op.outputs)")
    }
    current = op.outputs[0]
    return (location, op)
  }

  /// A constant input of `op` with `shape`.
  func constant(_ op: TFLiteOperator, _ slot: Int, _ what: String, shape: [Int], at location: String)
    throws(TFLiteError) -> Tensor
  {
    guard slot < op.inputs.count, op.inputs[slot] >= 0 else {
      throw fail(location, expected: "a \(what) input", found: "none")
    }
    let tensor = model.tensors[op.inputs[slot]]
    guard tensor.shape == shape else { throw fail(location, expected: "\(what) of shape \(shape)", found: "\(tensor.shape)") }
    return try model.dequantized(tensor)
  }

  /// A convolution (`depthwise`: one filter per channel) into `module`'s weight, and its bias into
  /// the identity BatchNorm `bn`.
  mutating func conv(_ module: String, bn: String, input: Int, output: Int, kernel: Int, stride: Int,
                     activation: TFLiteActivation, depthwise: Bool = false) throws(TFLiteError) {
    let (location, op) = try next([depthwise ? .depthwiseConv2D : .conv2D], for: module)
    guard let found = op.options.convolutionGeometry(depthwise: depthwise) else {
      throw fail(location, expected: depthwise ? "depthwise options with multiplier 1" : "convolution options",
                 found: "\(op.options)")
    }
    guard found.stride == [stride, stride], found.dilation == [1, 1], found.activation == activation else {
      throw fail(location, expected: "stride \(stride), dilation 1, activation \(activation)",
                 found: "stride \(found.stride), dilation \(found.dilation), activation \(found.activation)")
    }
    if kernel > 1 {
      if let padding, padding != found.padding {
        throw fail(location, expected: "padding \(padding) as in the other 3×3 convolutions", found: "\(found.padding)")
      }
      padding = found.padding
    }
    let stored = depthwise ? [1, kernel, kernel, output] : [output, kernel, kernel, input]
    let weight = try constant(op, 1, "weight", shape: stored, at: location)
    state[module + ".weight"] = weight.permuted(depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2])
    state[bn + ".weight"] = Tensor.ones([output])
    state[bn + ".bias"] = try constant(op, 2, "bias", shape: [output], at: location)
    state[bn + ".running_mean"] = Tensor.zeros([output])
    state[bn + ".running_var"] = Tensor.full([output], 1 - 1e-5)
    state[bn + ".num_batches_tracked"] = Tensor.zeros([])
  }

  /// The residual ADD of an inverted-residual block: its two inputs are the block's input and
  /// the projection's output, and it applies no activation.
  mutating func residual(_ blockInput: Int, module: String) throws(TFLiteError) {
    let projection = current
    guard cursor < model.operators.count else {
      throw fail("after operator \(cursor - 1) (for \(module))", expected: "ADD", found: "the end of the graph")
    }
    let op = model.operators[cursor]
    let location = "operator \(cursor) (residual of \(module))"
    cursor += 1
    guard op.builtin == .add else { throw fail(location, expected: "ADD", found: op.builtin.name) }
    guard Set(op.inputs) == [blockInput, projection], op.inputs.count == 2, op.outputs.count == 1, op.outputs[0] >= 0 else {
      throw fail(location, expected: "inputs \(blockInput) and \(projection)", found: "\(op.inputs)")
    }
    guard case .add(let o) = op.options, o.activation == .none else {
      throw fail(location, expected: "no activation", found: "\(op.options)")
    }
    current = op.outputs[0]
  }

  /// AVERAGE_POOL_2D over the whole feature map, without activation.
  mutating func globalAveragePool() throws(TFLiteError) {
    let shape = model.tensors[current].shape
    let (location, op) = try next([.averagePool2D], for: "the global average pool")
    guard shape.count == 4, case .pool2D(let o) = op.options, o.filterHeight == shape[1], o.filterWidth == shape[2],
          o.activation == .none else {
      throw fail(location, expected: "a pool over the whole \(shape) map, no activation", found: "\(op.options)")
    }
  }

  /// The logits: a linear 1×1 CONV_2D or FULLY_CONNECTED from `input` features, into
  /// `classifier.1`. Returns the class count.
  mutating func classifier(input: Int) throws(TFLiteError) -> Int {
    let (location, op) = try next([.conv2D, .fullyConnected], for: "classifier.1")
    let weightIndex = op.inputs.count > 1 ? op.inputs[1] : -1
    let shape = weightIndex >= 0 ? model.tensors[weightIndex].shape : []
    let isConv = op.builtin == .conv2D
    guard let classes = shape.first, classes > 0, shape == (isConv ? [classes, 1, 1, input] : [classes, input]) else {
      throw fail(location, expected: "weight [classes, \(isConv ? "1, 1, " : "")\(input)]", found: "\(shape)")
    }
    let activation: TFLiteActivation?
    switch op.options {
    case .conv2D(let o): activation = o.strideH == 1 && o.strideW == 1 ? o.activation : nil
    case .fullyConnected(let o): activation = o.activation
    default: activation = nil
    }
    guard activation == TFLiteActivation.none else {
      throw fail(location, expected: "a linear layer (stride 1, no activation)", found: "\(op.options)")
    }
    state["classifier.1.weight"] = try constant(op, 1, "weight", shape: shape, at: location).reshaped([classes, input])
    state["classifier.1.bias"] = try constant(op, 2, "bias", shape: [classes], at: location)
    return classes
  }

  /// Only RESHAPE and SOFTMAX may follow the logits, each consuming the previous output.
  mutating func end() throws(TFLiteError) {
    while cursor < model.operators.count {
      _ = try next([.reshape, .softmax], for: "the output")
    }
  }
}
