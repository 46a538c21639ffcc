import ArgumentParser
import Foundation
import GraftCore
import GraftText

struct Text: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Text tools: train, evaluate and apply LSTM classifiers; inspect and query pretrained word vectors.",
    discussion: """
      Examples:
        graft text train --data reviews.tsv --embeddings glove.6B.50d.txt --out sentiment.graft
        graft text evaluate sentiment.graft --data test.tsv --json
        graft text predict sentiment.graft "what a lovely film" --json
        graft text embeddings info glove.6B.50d.txt
        graft text embeddings lookup vectors.bin king queen --json
        graft text embeddings nearest glove.6B.50d.txt frog -k 5
      """,
    subcommands: [TextTrain.self, TextEvaluate.self, TextPredict.self, TextData.self, TextEmbeddings.self])
}

struct TextEmbeddings: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embeddings",
    abstract: "Read word2vec (binary or text), GloVe and fastText .vec files.",
    discussion: """
      Examples:
        graft text embeddings info glove.6B.50d.txt --json
        graft text embeddings nearest GoogleNews-vectors-negative300.bin king -k 5
      """,
    subcommands: [TextEmbeddingsInfo.self, TextEmbeddingsLookup.self, TextEmbeddingsNearest.self])
}

/// `--format` values: `auto` or an `EmbeddingFormat`.
enum EmbeddingFormatChoice: String, ExpressibleByArgument, CaseIterable {
  case auto
  case word2vecBinary = "word2vec-binary"
  case word2vecText = "word2vec-text"
  case glove
  case fasttext

  var format: EmbeddingFormat? { EmbeddingFormat(rawValue: rawValue) }
}

extension EmbeddingLoadOptions.UnicodeErrorPolicy: ExpressibleByArgument {}
extension EmbeddingLoadOptions.DuplicatePolicy: ExpressibleByArgument {}

/// The file and how to read it, shared by every `text embeddings` command.
struct EmbeddingFileOptions: ParsableArguments {
  @Argument(help: "The embedding file.")
  var file: String

  @Option(help: "File format: \(EmbeddingFormatChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
  var format: EmbeddingFormatChoice = .auto

  @Option(help: "Read only the first N rows (files are usually ordered by frequency).")
  var limit: Int?

  @Option(help: "Words that are not valid UTF-8: strict (error), replace (U+FFFD) or ignore (drop the bytes).")
  var unicodeErrors: EmbeddingLoadOptions.UnicodeErrorPolicy = .strict

  @Option(help: "A word that appears again: keep-first (gensim's choice), keep-last or error. Each repeat is warned about.")
  var duplicates: EmbeddingLoadOptions.DuplicatePolicy = .keepFirst

  @Flag(help: "Skip malformed rows (wrong number of values, not a number, an empty field, no word) with a warning each, instead of failing.")
  var lenient = false

  func validate() throws {
    if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
  }

  /// The format actually read (detected for `auto`) and the table; prints a warning on stderr for
  /// each repeated word and each skipped row.
  func load() throws -> (EmbeddingFormat, EmbeddingTable) {
    let resolved = try format.format ?? EmbeddingFormat.detect(file)
    let table = try EmbeddingTable.load(file, format: resolved, options: EmbeddingLoadOptions(
      limit: limit, unicodeErrors: unicodeErrors, duplicates: duplicates, lenient: lenient))
    EmbeddingWarnings.print(table.report, path: file, policy: duplicates)
    return (resolved, table)
  }
}

enum EmbeddingWarnings {
  /// One `warning: …` line on stderr per repeated word and per skipped row.
  static func print(_ report: EmbeddingLoadReport, path: String, policy: EmbeddingLoadOptions.DuplicatePolicy) {
    for line in report.warnings(path: path, policy: policy) { Console.writeError("warning: " + line + "\n") }
  }

  /// `, 2 duplicate words, 1 row skipped` (empty when there were none), for summaries.
  static func summary(_ report: EmbeddingLoadReport) -> String {
    var parts: [String] = []
    if !report.duplicates.isEmpty {
      parts.append("\(report.duplicates.count) duplicate word\(report.duplicates.count == 1 ? "" : "s")")
    }
    if !report.skippedRows.isEmpty {
      parts.append("\(report.skippedRows.count) row\(report.skippedRows.count == 1 ? "" : "s") skipped")
    }
    return parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")
  }
}

/// Words the table does not have: exit 1 naming them all. Matching is byte-exact; where the table
/// has the same text in another Unicode normalisation form, the message says so.
struct UnknownWordsError: Error, CustomStringConvertible {
  let path: String
  let words: [String]
  /// For each missing word, a table word equal to it only under canonical equivalence.
  var nearMisses: [String: String] = [:]

  init(path: String, words: [String], table: EmbeddingTable) {
    self.path = path
    self.words = words
    for word in words where !word.allSatisfy(\.isASCII) {
      if let other = table.words.first(where: { $0 == word }) { nearMisses[word] = other }
    }
  }

  var description: String {
    "\(path): not in the table: " + words.map { word in
      guard let other = nearMisses[word] else { return "\"\(word)\"" }
      return "\"\(word)\" (\(word.unicodeScalarCodes); the table has \"\(other)\" as \(other.unicodeScalarCodes))"
    }.joined(separator: ", ")
  }
}

struct TextEmbeddingsInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Print the format, word count and dimension of an embedding file.",
    discussion: """
      JSON: {"path", "format", "count", "dimension", "duplicates", "skipped"}: "duplicates" counts rows whose word appeared before (kept as --duplicates says), "skipped" the malformed rows --lenient skipped. Each is also warned about on stderr.

      Examples:
        graft text embeddings info vectors.bin
        graft text embeddings info glove.6B.50d.txt --format glove --json
      """)

  @OptionGroup var source: EmbeddingFileOptions
  @Flag(help: "Print JSON.") var json = false

  struct Report: Encodable {
    var path: String
    var format: String
    var count: Int
    var dimension: Int
    var duplicates: Int
    var skipped: Int
  }

  func run() throws {
    let (format, table) = try source.load()
    let report = Report(path: source.file, format: format.rawValue, count: table.count, dimension: table.dimension,
                        duplicates: table.report.duplicates.count, skipped: table.report.skippedRows.count)
    if json {
      Console.writeOutput(try JSONOutput.line(report))
    } else {
      Console.writeOutput("\(report.path): \(report.format), \(report.count) words, \(report.dimension) dimensions"
                          + EmbeddingWarnings.summary(table.report) + "\n")
    }
  }
}

struct TextEmbeddingsLookup: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lookup",
    abstract: "Print the vectors of words; exits 1 if any word is not in the table.",
    discussion: """
      JSON: {"word": [v1, …], …}, in the order given, each word once. Text: one line per word, the word then its values. Words match byte for byte: "café" typed in NFC does not find an NFD "café" (the error says when the table has such a spelling).

      Examples:
        graft text embeddings lookup glove.6B.50d.txt good bad --json
      """)

  @OptionGroup var source: EmbeddingFileOptions
  @Argument(help: "Words to look up (exact match).") var words: [String]
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if words.isEmpty { throw ValidationError("give at least one word") }
  }

  func run() throws {
    let (_, table) = try source.load()
    let unknown = words.filter { !table.contains($0) }
    if !unknown.isEmpty { throw UnknownWordsError(path: source.file, words: unknown, table: table) }
    if json {
      // Written member by member: a [String: …] dictionary would merge words that differ only in
      // Unicode normalisation.
      var members: [String] = []
      for word in words.uniquedByBytes() {
        let key = try JSONOutput.line(word).dropLast(), values = try JSONOutput.line(table.vector(for: word) ?? []).dropLast()
        members.append(String(key) + ":" + String(values))
      }
      Console.writeOutput("{" + members.joined(separator: ",") + "}\n")
    } else {
      for word in words {
        Console.writeOutput(word + " " + (table.vector(for: word) ?? []).map { "\($0)" }.joined(separator: " ") + "\n")
      }
    }
  }
}

struct TextEmbeddingsNearest: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nearest",
    abstract: "Print the words nearest to a word by cosine similarity (the word itself left out).",
    discussion: """
      JSON: {"word", "neighbours": [{"word", "similarity"}, …], "duplicates", "skipped"}, best first ("duplicates" and "skipped" as in `info`).

      Examples:
        graft text embeddings nearest glove.6B.50d.txt king -k 5
      """)

  @OptionGroup var source: EmbeddingFileOptions
  @Argument(help: "The query word (exact match).") var word: String
  @Option(name: .short, help: "How many neighbours.") var k = 10
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if k < 1 { throw ValidationError("-k must be at least 1") }
  }

  struct Report: Encodable {
    var word: String
    var neighbours: [Neighbour]
    var duplicates: Int
    var skipped: Int
  }

  func run() throws {
    let (_, table) = try source.load()
    guard let neighbours = table.nearest(to: word, k: k) else {
      throw UnknownWordsError(path: source.file, words: [word], table: table)
    }
    if json {
      Console.writeOutput(try JSONOutput.line(Report(word: word, neighbours: neighbours, duplicates: table.report.duplicates.count,
                                                     skipped: table.report.skippedRows.count)))
    } else {
      let width = neighbours.map(\.word.count).max() ?? 0
      for n in neighbours {
        Console.writeOutput(n.word.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(format: "%.4f", n.similarity) + "\n")
      }
    }
  }
}
