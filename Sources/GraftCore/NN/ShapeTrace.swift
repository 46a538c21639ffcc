/// Records the output shape of each layer during one traced forward pass
/// (used by `Module.summary`). Inactive, it costs one task-local read per layer.
public final class ShapeTrace: @unchecked Sendable {
  @TaskLocal static var active: ShapeTrace?
  var shapes: [ObjectIdentifier: [Int]] = [:]

  /// Called by layers after their forward pass.
  public static func report(_ module: Module, _ output: Tensor) {
    guard let trace = active else { return }
    trace.shapes[ObjectIdentifier(module)] = output.shape
  }

  /// Runs `body` with tracing on and returns what it recorded.
  static func record(_ body: () -> Void) -> [ObjectIdentifier: [Int]] {
    let trace = ShapeTrace()
    $active.withValue(trace) { body() }
    return trace.shapes
  }
}
