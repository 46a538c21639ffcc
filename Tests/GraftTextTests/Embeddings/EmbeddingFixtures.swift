import Foundation
import GraftText

/// The gensim fixtures in `Tests/GraftTextTests/Fixtures/embeddings` (see its README).
enum EmbeddingFixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/embeddings")

  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// What gensim loaded from `key` ("file" or "file:policy"): words and vectors, or an error.
  struct Expected {
    var words: [String]
    var vectors: [[Float]]
    var error: String?
  }

  static var expected: [String: Any] {
    guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
    return object
  }

  static func gensim(_ key: String) -> Expected? {
    guard let entry = expected[key] as? [String: Any] else { return nil }
    if let error = entry["error"] as? String { return Expected(words: [], vectors: [], error: error) }
    guard let words = entry["words"] as? [Any], let vectors = entry["vectors"] as? [[Double]] else { return nil }
    return Expected(words: words.map { $0 as? String ?? "" }, vectors: vectors.map { $0.map(Float.init) }, error: nil)
  }

  /// A temporary file holding `bytes`, removed by the caller.
  static func temporaryFile(_ bytes: [UInt8], suffix: String = ".txt") throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("graft-text-\(UUID().uuidString)\(suffix)")
    try Data(bytes).write(to: url)
    return url.path
  }
}
