// Tokenizer throughput, measured by hand (not part of the package build).
//
// Compiles the tokenizer's two source files with this driver in release mode and tokenizes a
// text file repeated to at least 8 MB, best of 5 runs, for three option sets:
//
//   swiftc -O -wmo -module-name TokenizerBench Sources/GraftText/Tokenizer.swift \
//     Sources/GraftText/TokenizerRules.swift Tools/bench/tokenizer_throughput/main.swift -o /tmp/tokenizer-bench
//   /tmp/tokenizer-bench ../shared/datasets/sentiment_vader/all_ratings.tsv
//
// Prints MB/s (10^6 bytes of UTF-8 input per second) for `tokenize` (collects [String]) and
// `forEachToken` (no array).
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 2, let text = try? String(contentsOfFile: arguments[1], encoding: .utf8), !text.isEmpty else {
  FileHandle.standardError.write(Data("usage: tokenizer-bench TEXT_FILE\n".utf8))
  exit(2)
}
var input = ""
while input.utf8.count < 8_000_000 { input += text }
let megabytes = Double(input.utf8.count) / 1e6
print("input: \(arguments[1]) repeated to \(input.utf8.count) bytes, \(input.utf8.filter { $0 >= 0x80 }.count) non-ASCII")
for (name, tokenizer) in [("default (lowercase, NFKC, contractions)", Tokenizer()),
                          ("lowercase only", Tokenizer(normalizeNFKC: false)),
                          ("no options", Tokenizer(lowercase: false, normalizeNFKC: false, splitContractions: false))] {
  var bestCollect = Double.infinity, bestStream = Double.infinity
  var tokens = 0
  for _ in 0..<5 {
    var start = Date()
    tokens = tokenizer.tokenize(input).count
    bestCollect = min(bestCollect, Date().timeIntervalSince(start))
    var streamed = 0
    start = Date()
    tokenizer.forEachToken(in: input) { _ in streamed += 1 }
    bestStream = min(bestStream, Date().timeIntervalSince(start))
    precondition(streamed == tokens)
  }
  print(String(format: "%@: %d tokens, tokenize %.1f MB/s, forEachToken %.1f MB/s",
               name, tokens, megabytes / bestCollect, megabytes / bestStream))
}
