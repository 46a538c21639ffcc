import Foundation
import GraftCore
import Testing

/// The librosa reference outputs in `Fixtures/` (made by `Tools/fixtures/audio.py`; `cases.json`
/// records each case's function, parameters and the librosa version).
enum LibrosaFixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let kind: String
    let params: [String: JSONParam]
    var testDescription: String { name }

    func int(_ key: String) -> Int? { if case .number(let v) = params[key] { Int(v) } else { nil } }
    func double(_ key: String) -> Double? { if case .number(let v) = params[key] { v } else { nil } }
    func string(_ key: String) -> String? { if case .string(let v) = params[key] { v } else { nil } }
    func bool(_ key: String) -> Bool? { if case .bool(let v) = params[key] { v } else { nil } }
    var expected: Tensor { LibrosaFixtures.load(name + ".npy") }
  }

  enum JSONParam: Decodable, Sendable {
    case number(Double), string(String), bool(Bool), null

    init(from decoder: any Decoder) throws {
      let c = try decoder.singleValueContainer()
      if c.decodeNil() { self = .null }
      else if let b = try? c.decode(Bool.self) { self = .bool(b) }
      else if let n = try? c.decode(Double.self) { self = .number(n) }
      else { self = .string(try c.decode(String.self)) }
    }
  }

  struct Manifest: Decodable {
    let librosa: String
    let sample_rate: Int
    let cases: [Case]
  }

  static let manifest: Manifest? = {
    guard let data = FileManager.default.contents(atPath: directory + "/cases.json") else { return nil }
    return try? JSONDecoder().decode(Manifest.self, from: data)
  }()

  static var sampleRate: Int { manifest?.sample_rate ?? 0 }

  static func cases(_ kind: String) -> [Case] {
    (manifest?.cases ?? []).filter { $0.kind == kind }
  }

  static func load(_ file: String) -> Tensor {
    do {
      return try NPY.read(directory + "/" + file).toTensor()
    } catch {
      Issue.record("fixture \(file): \(error)")
      return Tensor(shape: [0], [])
    }
  }

  static var signal: [Float] { load("signal.npy").scalars }
}

/// Expects equal shapes and, on every element whose reference is above `floor × max|expected|`,
/// |actual − expected| ≤ `relative × |expected|` (the issue's tolerance for spectrograms).
func expectRelativelyClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-4, floor: Float = 1e-6,
                           _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  let (a, b) = (actual.scalars, expected.scalars)
  let threshold = floor * (b.map(abs).max() ?? 0)
  var worst: Float = 0, checked = 0
  for (x, y) in zip(a, b) where abs(y) > threshold {
    checked += 1
    worst = max(worst, abs(x - y) / abs(y))
  }
  #expect(checked > 0 && worst <= relative, "\(what): worst relative error \(worst) over \(checked) values",
          sourceLocation: sourceLocation)
}

/// Expects equal shapes and |actual − expected| ≤ `absolute` everywhere (for dB and MFCC values,
/// which cross zero).
func expectAbsolutelyClose(_ actual: Tensor, _ expected: Tensor, absolute: Float, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
  #expect(!worst.isNaN && worst <= absolute, "\(what): worst absolute error \(worst)", sourceLocation: sourceLocation)
}
