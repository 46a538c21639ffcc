import ArgumentParser
import Foundation
import GraftCore
import GraftText

struct TextData: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Check labelled texts: counts per label, skipped rows, duplicate texts, label noise, leakage into --test, imbalance, tiny classes.",
    discussion: """
      Texts are compared byte for byte (SHA-256 of their UTF-8): the same text twice under one \
      label is a duplicate, under two labels label noise, in DATA and --test leakage. Rows or \
      files the reader skips count as unreadable. Imbalance: the largest label has more than 3× \
      the texts of the smallest; a tiny label has fewer than 10 texts.

      Examples:
        graft text data --data reviews/train.tsv --test reviews/test.tsv
        graft text data --data reviews/ --json
      """)

  @OptionGroup var source: TextDataOptions

  @Option(help: ArgumentHelp("Test texts (same layout and columns) to check for texts identical to training texts.", valueName: "file-or-dir"))
  var test: String?

  @Flag(help: "Print JSON: {\"data\", \"count\", \"labels\", \"skipped\", \"health\"}.")
  var json = false

  func run() throws {
    let data = try source.load()
    let testData = try test.map {
      try TextDataset.load($0, format: source.format, textColumn: source.textColumn, labelColumn: source.labelColumn,
                           allowSingleClass: true)
    }
    let health = HealthOutput.texts(data, test: testData)
    if json {
      try printJSON(JSONValue.object([
        "data": .string(source.data), "count": .number(Double(data.count)),
        "labels": .array(data.labels.map { .string($0) }), "skipped": .number(Double(data.issues.count)),
        "health": health.json,
      ]))
    } else {
      var text = "\(source.data): \(data.count) texts, labels \(data.labels.joined(separator: ", "))\n"
      for (label, count) in health.classCounts { text += "  \(label)  \(count)\n" }
      if let testData, let test { text += "\(test): \(testData.count) test texts\n" }
      Console.writeOutput(text + HealthOutput.text(health))
    }
  }
}
