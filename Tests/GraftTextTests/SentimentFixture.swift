import Foundation

/// A tiny generated sentiment task: sentences of neutral filler words with one or two
/// positive or negative words, and GloVe-format vectors where positive words lie near +e0,
/// negative words near −e0 and filler words near zero on e0. "boring" has no vector (OOV).
enum SentimentFixture {
  static let positive = ["good", "great", "excellent", "wonderful", "love", "amazing", "superb", "fine"]
  static let negative = ["bad", "awful", "terrible", "horrible", "hate", "boring", "poor", "dull"]
  static let neutral = ["the", "movie", "film", "was", "this", "it", "a", "plot", "story", "acting", "really", "quite"]
  static let missing: Set<String> = ["boring"]
  static let dimension = 6

  /// SplitMix64, so the fixture is the same on every run.
  struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
  }

  /// `count` sentences, labels alternating "negative"/"positive".
  static func examples(count: Int, seed: UInt64) -> [(text: String, label: String)] {
    var random = Random(state: seed)
    return (0..<count).map { i in
      let isPositive = i % 2 == 1
      let pool = isPositive ? positive : negative
      var words = (0..<(2 + random.below(4))).map { _ in neutral[random.below(neutral.count)] }
      for _ in 0..<(1 + random.below(2)) { words.insert(pool[random.below(pool.count)], at: random.below(words.count + 1)) }
      return (words.joined(separator: " "), isPositive ? "positive" : "negative")
    }
  }

  static func tsv(_ examples: [(text: String, label: String)]) -> String {
    "text\tlabel\n" + examples.map { "\($0.text)\t\($0.label)\n" }.joined()
  }

  /// GloVe text format (no header).
  static func glove(seed: UInt64 = 7) -> String {
    var random = Random(state: seed)
    var lines: [String] = []
    for (words, direction) in [(positive, Float(1)), (negative, -1), (neutral, 0)] {
      for word in words where !missing.contains(word) {
        let v = (0..<dimension).map { j in (j == 0 ? direction : 0) + 0.3 * random.unit() }
        lines.append(([word] + v.map { String($0) }).joined(separator: " "))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
