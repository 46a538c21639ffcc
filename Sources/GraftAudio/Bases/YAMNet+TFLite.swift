import GraftCore

extension YAMNet {
  /// A TFLite YAMNet (as `yamnet.tflite`, converted from TF-Hub `google/yamnet/1`) mapped onto this
  /// class's keys, with the front-end constants the graph carries.
  public struct TFLiteWeights {
    /// Every key of `YAMNet(classCount:)`: convolution weights as OIHW (depthwise `[C, 1, 3, 3]`)
    /// with the biases TFLite folded the BatchNorms into, `logits` from the FULLY_CONNECTED.
    /// Int8 weights are dequantized (per output channel: w = q · scale[c]).
    public var stateDict: [String: Tensor]
    /// Output classes (521 for AudioSet's YAMNet).
    public var classCount: Int
    /// Samples of the graph's waveform input (15 600 = one 96-frame patch at 16 kHz), or nil when
    /// its input is not a waveform.
    public var inputSamples: Int?
    /// The graph's own front-end constants, when it has a front end: the analysis window
    /// (`[400]`, the MUL before the RFFT), the mel matrix (`[64, 257]`, the FULLY_CONNECTED after
    /// COMPLEX_ABS; int8 in `yamnet.tflite`, so within one step, ≈ 0.0078 / 2, of the exact one)
    /// and the offset added before the LOG (its bias, 0.001).
    public var window: Tensor?
    public var melMatrix: Tensor?
    public var logOffset: Float?
  }

  /// Reads `path` and maps it (see `tfliteWeights(_:)`).
  public static func tfliteWeights(path: String) throws(TFLiteError) -> TFLiteWeights {
    try tfliteWeights(TFLiteModel.read(path))
  }

  /// Recognises `model`'s subgraph 0 as YAMNet and maps its weights.
  ///
  /// The front-end operators (RESHAPE/GATHER framing, MUL by the window, PAD, RFFT2D, COMPLEX_ABS,
  /// the mel FULLY_CONNECTED, LOG) are read for their constants; the network is then walked in
  /// operator order from the first CONV_2D and checked structurally against yamnet.py's table: a
  /// 3×3 stride-2 CONV_2D 1 → 32, then per block a 3×3 DEPTHWISE_CONV_2D (the block's stride,
  /// multiplier 1) and a 1×1 CONV_2D, all SAME-padded with a fused ReLU; a MEAN over height and
  /// width; a linear FULLY_CONNECTED 1024 → classes; a LOGISTIC that is the graph's output. Each
  /// operator must consume the previous one's output and every weight must have the shape the
  /// table implies. The first thing that differs is thrown as `unexpectedGraph`, naming the
  /// operator and the module it was to fill.
  public static func tfliteWeights(_ model: TFLiteModel) throws(TFLiteError) -> TFLiteWeights {
    var walk = YAMNetWalk(model)
    let frontEnd = try walk.frontEnd()
    try walk.conv("layer1.conv", input: 1, output: stemChannels, kernel: 3, stride: 2, depthwise: false)
    var input = stemChannels
    for (i, layer) in separableLayers.enumerated() {
      try walk.conv("layer\(i + 2).depthwise", input: input, output: input, kernel: 3, stride: layer.stride,
                    depthwise: true)
      try walk.conv("layer\(i + 2).pointwise", input: input, output: layer.channels, kernel: 1, stride: 1,
                    depthwise: false)
      input = layer.channels
    }
    try walk.mean()
    let classes = try walk.logits(input: input)
    try walk.logistic()
    return TFLiteWeights(stateDict: walk.state, classCount: classes, inputSamples: frontEnd.samples,
                         window: frontEnd.window, melMatrix: frontEnd.mel, logOffset: frontEnd.offset)
  }

  /// `yamnet.tflite` at `path` as a network, weights loaded, in eval mode: with its AudioSet
  /// classifier (`logitsAndFeatures`, `scores`), or without it (`classifier: false`, a bare base for
  /// a new head: the classifier's 0.5 M parameters then stay out of bundles).
  public static func load(tflite path: String, classifier: Bool = true) throws(TFLiteError) -> YAMNet {
    let weights = try tfliteWeights(path: path)
    var g = Generator(seed: 0)
    let model = YAMNet(classCount: classifier ? weights.classCount : nil, using: &g)
    let state = classifier ? weights.stateDict : weights.stateDict.filter { !$0.key.hasPrefix("logits.") }
    do {
      try model.load(state, strict: true, source: path)
    } catch {
      // The walk checked every key and shape, so this is a bug rather than a bad file; still a typed error.
      throw TFLiteError(path: path, reason: .unexpectedGraph(location: "state dict", expected: "YAMNet's keys and shapes",
                                                              found: "\(error)"))
    }
    model.eval()
    return model
  }
}

/// The operator-by-operator walk behind `YAMNet.tfliteWeights`: a cursor into subgraph 0, the
/// tensor that flows between operators, and the state dict filled so far.
private struct YAMNetWalk {
  let model: TFLiteModel
  var cursor = 0
  /// The activation tensor the next operator must consume.
  var current = -1
  var state: [String: Tensor] = [:]

  init(_ model: TFLiteModel) { self.model = model }

  func fail(_ location: String, expected: String, found: String) -> TFLiteError {
    TFLiteError(path: model.path, reason: .unexpectedGraph(location: location, expected: expected, found: found))
  }

  /// The constant input `slot` of `op`, dequantized, or nil when it is absent or not constant.
  func constant(_ op: TFLiteOperator, _ slot: Int) -> Tensor? {
    guard slot < op.inputs.count, op.inputs[slot] >= 0, op.inputs[slot] < model.tensors.count else { return nil }
    let tensor = model.tensors[op.inputs[slot]]
    guard model.data(of: tensor) != nil else { return nil }
    return try? model.dequantized(tensor)
  }

  /// Skips the front end up to the first CONV_2D, keeping the constants YAMNet's has; the first
  /// convolution's input becomes `current`.
  mutating func frontEnd() throws(TFLiteError) -> (samples: Int?, window: Tensor?, mel: Tensor?, offset: Float?) {
    var window: Tensor?, mel: Tensor?, offset: Float?
    while cursor < model.operators.count, model.operators[cursor].builtin != .conv2D {
      let op = model.operators[cursor]
      if op.builtin == .mul, let w = constant(op, 1), w.rank == 1 { window = w }
      if op.builtin == .fullyConnected, let m = constant(op, 1), m.rank == 2 {
        mel = m
        if let bias = constant(op, 2), bias.count > 0 { offset = bias.scalars.max() }
      }
      cursor += 1
    }
    guard cursor < model.operators.count else {
      throw fail("subgraph 0", expected: "a CONV_2D (YAMNet's layer1)", found: "none in \(model.operators.count) operators")
    }
    let first = model.operators[cursor]
    guard let input = first.inputs.first, input >= 0, input < model.tensors.count else {
      throw fail("operator \(cursor) (for layer1.conv)", expected: "an input tensor", found: "\(first.inputs)")
    }
    let shape = model.tensors[input].shape
    guard shape.count == 4, shape[0] == 1, shape[3] == 1 else {
      throw fail("operator \(cursor) (for layer1.conv)", expected: "a log-mel patch input [1, frames, mel bands, 1]",
                 found: "\(shape)")
    }
    current = input
    let inputs = model.inputs
    var samples: Int?
    if inputs.count == 1, inputs[0] >= 0, inputs[0] < model.tensors.count, model.tensors[inputs[0]].shape.count == 1 {
      samples = model.tensors[inputs[0]].shape[0]
    }
    return (samples, window, mel, offset)
  }

  /// The next operator, which must be `kind` and consume `current` as its first input.
  mutating func next(_ kind: TFLiteBuiltinOperator, for module: String) throws(TFLiteError) -> (String, TFLiteOperator) {
    guard cursor < model.operators.count else {
      throw fail("after operator \(cursor - 1) (for \(module))", expected: kind.name, found: "the end of the graph")
    }
    let op = model.operators[cursor]
    let location = "operator \(cursor) (for \(module))"
    cursor += 1
    guard op.builtin == kind else { throw fail(location, expected: kind.name, found: op.builtin.name) }
    guard op.inputs.first == current, op.outputs.count == 1, op.outputs[0] >= 0, op.outputs[0] < model.tensors.count else {
      throw fail(location, expected: "input tensor \(current) and one output", found: "inputs \(op.inputs), outputs \(op.outputs)")
    }
    current = op.outputs[0]
    return (location, op)
  }

  /// A constant input of `op` with `shape`, dequantized.
  func constant(_ op: TFLiteOperator, _ slot: Int, _ what: String, shape: [Int], at location: String)
    throws(TFLiteError) -> Tensor
  {
    guard slot < op.inputs.count, op.inputs[slot] >= 0, op.inputs[slot] < model.tensors.count else {
      throw fail(location, expected: "a \(what) input", found: "none")
    }
    let tensor = model.tensors[op.inputs[slot]]
    guard tensor.shape == shape else { throw fail(location, expected: "\(what) of shape \(shape)", found: "\(tensor.shape)") }
    return try model.dequantized(tensor)
  }

  /// A SAME-padded convolution with a fused ReLU (`depthwise`: one filter per channel) into
  /// `module`'s weight and bias.
  mutating func conv(_ module: String, input: Int, output: Int, kernel: Int, stride: Int, depthwise: Bool)
    throws(TFLiteError)
  {
    let (location, op) = try next(depthwise ? .depthwiseConv2D : .conv2D, for: module)
    guard let found = op.options.convolutionGeometry(depthwise: depthwise) else {
      throw fail(location, expected: depthwise ? "depthwise options with multiplier 1" : "convolution options",
                 found: "\(op.options)")
    }
    guard found.padding == .same, found.stride == [stride, stride], found.dilation == [1, 1], found.activation == .relu else {
      throw fail(location, expected: "SAME padding, stride \(stride), dilation 1, activation RELU",
                 found: "\(found.padding) padding, stride \(found.stride), dilation \(found.dilation), activation \(found.activation)")
    }
    let stored = depthwise ? [1, kernel, kernel, output] : [output, kernel, kernel, input]
    let weight = try constant(op, 1, "weight", shape: stored, at: location)
    state[module + ".weight"] = weight.permuted(depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2])
    state[module + ".bias"] = try constant(op, 2, "bias", shape: [output], at: location)
  }

  /// The global average pool: MEAN over axes 1 and 2 (height and width of NHWC).
  mutating func mean() throws(TFLiteError) {
    let (location, op) = try next(.mean, for: "the global average pool")
    let axes = constant(op, 1)?.scalars.map { Int($0) }.sorted()
    guard axes == [1, 2] else {
      throw fail(location, expected: "a mean over axes [1, 2]", found: axes.map { "axes \($0)" } ?? "no constant axes")
    }
  }

  /// The logits: a linear FULLY_CONNECTED from `input` features, into `logits`. Returns the class count.
  mutating func logits(input: Int) throws(TFLiteError) -> Int {
    let (location, op) = try next(.fullyConnected, for: "logits")
    let weightIndex = op.inputs.count > 1 ? op.inputs[1] : -1
    let shape = weightIndex >= 0 && weightIndex < model.tensors.count ? model.tensors[weightIndex].shape : []
    guard shape.count == 2, shape[0] > 0, shape[1] == input else {
      throw fail(location, expected: "weight [classes, \(input)]", found: "\(shape)")
    }
    guard case .fullyConnected(let o) = op.options, o.activation == .none else {
      throw fail(location, expected: "a linear layer (no activation)", found: "\(op.options)")
    }
    let classes = shape[0]
    state["logits.weight"] = try constant(op, 1, "weight", shape: shape, at: location)
    state["logits.bias"] = try constant(op, 2, "bias", shape: [classes], at: location)
    return classes
  }

  /// The LOGISTIC that turns the logits into scores: the last operator, the graph's output.
  mutating func logistic() throws(TFLiteError) {
    let (location, _) = try next(.logistic, for: "the scores")
    guard cursor == model.operators.count, model.outputs.contains(current) else {
      throw fail(location, expected: "the last operator, giving the graph's output",
                 found: "\(model.operators.count - cursor) operators after it, outputs \(model.outputs)")
    }
  }
}

extension YAMNet {
  /// The `WeightsMapper` of `yamnet.tflite` (`--base yamnet.tflite`, no `--arch` needed): the
  /// network as `yamnet`, without its AudioSet classifier unless the requested spec asks for
  /// `classes` (a transfer base needs only the 1024-d embedding).
  @Sendable static func mapTFLite(_ path: String, _ requested: ArchitectureSpec?) throws -> MappedWeights {
    let weights = try tfliteWeights(path: path)
    var hyperparameters = requested?.hyperparameters ?? [:]
    if hyperparameters["classes"] == nil { hyperparameters["classes"] = 0 }
    return MappedWeights(architecture: ArchitectureSpec(name: "yamnet", hyperparameters: hyperparameters),
                         stateDict: weights.stateDict)
  }
}
