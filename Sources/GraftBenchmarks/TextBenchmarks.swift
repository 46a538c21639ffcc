import Foundation
import GraftCore
import GraftText

/// `graft bench text`: tokenizer throughput and the LSTM classifier step.
public enum TextBenchmarks {
  public static let names = ["tokenize_20mb", "lstm_train_b32", "lstm_infer_b32"]

  public static func run(budget: Double, textFile: String?, filter: (String) -> Bool,
                         progress: (String) -> Void = { _ in }) throws -> [BenchmarkResult] {
    var results: [BenchmarkResult] = []
    if filter("tokenize_20mb") {
      progress("tokenize_20mb")
      let text = try textFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? generatedText(bytes: 20 << 20)
      results.append(tokenize(text, budget: budget))
    }
    for train in [true, false] where filter(train ? "lstm_train_b32" : "lstm_infer_b32") {
      progress(train ? "lstm_train_b32" : "lstm_infer_b32")
      results.append(lstm(train: train, budget: budget))
    }
    return results
  }

  /// Single-threaded tokenization with the full rules (lowercase, NFKC, contractions), MB/s.
  static func tokenize(_ text: String, budget: Double) -> BenchmarkResult {
    let tokenizer = Tokenizer()
    let bytes = Double(text.utf8.count)
    var tokens = 0
    let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
      tokens = 0
      tokenizer.forEachToken(in: text) { _ in tokens += 1 }
    }
    return BenchmarkResult(name: "tokenize_20mb", value: bytes / t / 1e6, unit: "MB/s", seconds: t, iterations: n)
  }

  /// Frozen Embedding 20,000×100 → LSTM 100→128 → last hidden state → Linear 2;
  /// sequences of 100 tokens, batch 32; Adam on the LSTM and head. Train: steps/s; inference: sequences/s.
  static func lstm(train: Bool, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 5)
    let embedding = Embedding(20_000, 100, paddingIndex: 0, using: &g)
    embedding.freeze()
    let lstm = LSTM(inputSize: 100, hiddenSize: 128, using: &g)
    let head = Linear(128, 2, using: &g)
    let tokens = (0..<(32 * 100)).map { _ in 1 + g.int(below: 19_999) }
    let labels = (0..<32).map { $0 % 2 }
    func logits() -> Tensor {
      let x = embedding(tokens, shape: [32, 100])
      let (_, h, _) = lstm(x)
      return head(h.reshaped([32, 128]))
    }
    if train {
      let optimizer = Adam(lstm.parameters() + head.parameters(), learningRate: 1e-3)
      let (t, n) = Stopwatch.median(warmup: 2, minIterations: 5, budget: budget) {
        optimizer.zeroGradients()
        crossEntropy(logits: logits(), labels: labels).backward()
        optimizer.step()
      }
      return BenchmarkResult(name: "lstm_train_b32", value: 1 / t, unit: "steps/s", seconds: t, iterations: n)
    }
    let (t, n) = Stopwatch.median(warmup: 2, minIterations: 5, budget: budget) { _ = withoutGradients { logits() } }
    return BenchmarkResult(name: "lstm_infer_b32", value: 32 / t, unit: "sequences/s", seconds: t, iterations: n)
  }

  /// Deterministic review-like English (with numbers, contractions, URLs, emoji and accents) of about `bytes` bytes.
  public static func generatedText(bytes: Int) -> String {
    let words = ["the", "movie", "was", "really", "good", "bad", "I", "don't", "think", "it's", "worth", "watching",
                 "acting", "plot", "great", "terrible", "and", "but", "so", "not", "very", "a", "with", "of", "to",
                 "Café", "naïve", "résumé", "fun", "boring", "loved", "hated", "story", "music", "2nd", "1,000",
                 "3.5", "https://example.com/review", "😀", "👍🏽", "wasn't", "can't", "they're"]
    let punctuation = [".", ",", "!", "?", "...", ";"]
    var g = Generator(seed: 11)
    var out = ""
    out.reserveCapacity(bytes + 100)
    while out.utf8.count < bytes {
      let length = 5 + g.int(below: 20)
      for i in 0..<length {
        out += words[g.int(below: words.count)]
        out += i == length - 1 ? punctuation[g.int(below: punctuation.count)] + "\n" : " "
      }
    }
    return out
  }
}
