extension Module {
  /// One row of `summary()`.
  public struct SummaryRow: Sendable, Equatable, Codable {
    public var name: String
    public var type: String
    public var outputShape: [Int]?
    public var parameters: Int
    public var trainable: Int
  }

  /// Rows for every module that owns parameters or has no children, with the
  /// output shape seen when `input` (if given) runs through the model.
  public func summaryRows(input: Tensor? = nil, run: ((Tensor) -> Void)? = nil) -> [SummaryRow] {
    var shapes: [ObjectIdentifier: [Int]] = [:]
    if let input {
      let forward = run ?? { x in _ = (self as? Layer)?(x) }
      shapes = ShapeTrace.record { withoutGradients { forward(input) } }
    }
    return namedModules().compactMap { path, m in
      let own = m.ownParameters().map(\.1.wrappedValue)
      let isLeaf = m.namedChildren().isEmpty
      guard !path.isEmpty || isLeaf, !own.isEmpty || isLeaf else { return nil }
      return SummaryRow(
        name: path.isEmpty ? "(model)" : path, type: String(describing: type(of: m)),
        outputShape: shapes[ObjectIdentifier(m)],
        parameters: own.reduce(0) { $0 + $1.count },
        trainable: own.filter(\.requiresGrad).reduce(0) { $0 + $1.count })
    }
  }

  /// A Keras-style table: layer, type, output shape, parameters, trainable, with totals.
  public func summary(input: Tensor? = nil, run: ((Tensor) -> Void)? = nil) -> String {
    let rows = summaryRows(input: input, run: run)
    let header = ["Layer", "Type", "Output shape", "Params", "Trainable"]
    var table = rows.map { r in
      [r.name, r.type, r.outputShape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "-",
       Self.grouped(r.parameters), Self.grouped(r.trainable)]
    }
    let widths = (0..<header.count).map { c in ([header] + table).map { $0[c].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { c, s in
        c >= 3 ? String(repeating: " ", count: widths[c] - s.count) + s : s + String(repeating: " ", count: widths[c] - s.count)
      }.joined(separator: "  ")
    }
    let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    table = table.map { $0 }
    var out = [line(header), rule] + table.map(line) + [rule]
    let total = parameterCount(), trainable = parameterCount(trainableOnly: true)
    out.append("Total parameters: \(Self.grouped(total))")
    out.append("Trainable: \(Self.grouped(trainable))   Frozen: \(Self.grouped(total - trainable))")
    return out.joined(separator: "\n")
  }

  static func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return String(out.reversed())
  }
}
