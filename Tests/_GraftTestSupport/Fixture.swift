import Foundation
import GraftCore
import Testing

/// A reference fixture: named tensors and the parameters of the case, read
/// from a safetensors file written by a `Tools/fixtures/*.py` script.
public struct Fixture {
  public let name: String
  public let tensors: [String: Tensor]
  public let metadata: [String: String]
  /// The `params` metadata entry, parsed from JSON.
  public let params: [String: Any]

  public init(path: String) throws {
    let file = try SafeTensors.read(path)
    name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    tensors = file.tensors
    metadata = file.metadata
    let json = metadata["params"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
    params = json as? [String: Any] ?? [:]
  }

  public subscript(_ key: String) -> Tensor {
    guard let t = tensors[key] else { preconditionFailure("fixture \(name) has no tensor \(key)") }
    return t
  }

  public func int(_ key: String) -> Int { params[key] as! Int }
  public func bool(_ key: String) -> Bool { params[key] as! Bool }
  public func pair(_ key: String) -> (Int, Int) {
    let v = params[key] as! [Int]
    return (v[0], v[1])
  }

  /// Fresh leaf copies of `names` that require gradients.
  public func leaves(_ names: [String]) -> [Tensor] {
    names.map { let t = self[$0].copy(); t.requiresGrad = true; return t }
  }

  /// Runs `op` on copies of the inputs, checks `y`, back-propagates `gy` and
  /// checks `g<name>` for every input the fixture has a gradient for.
  public func check(
    inputs names: [String], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation,
    _ op: ([Tensor]) -> Tensor
  ) {
    let xs = leaves(names)
    let y = op(xs)
    assertClose(y.reshaped(self["y"].shape), self["y"], tolerance: tolerance, "\(name) y", sourceLocation: sourceLocation)
    y.backward(gradient: self["gy"].reshaped(y.shape))
    for (n, x) in zip(names, xs) {
      guard let expected = tensors["g" + n] else { continue }
      guard let g = x.grad else {
        Issue.record("\(name): no gradient for \(n)", sourceLocation: sourceLocation)
        continue
      }
      assertClose(g, expected, tolerance: tolerance, "\(name) g\(n)", sourceLocation: sourceLocation)
    }
  }
}
