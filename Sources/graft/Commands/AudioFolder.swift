import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

struct AudioFolder: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "folder",
    abstract: "Check a sound dataset (a class-per-folder directory or a CSV): clips per label, unreadable files, duplicates, label noise, leakage into --test, imbalance, tiny classes.",
    discussion: """
      Every clip's header is read with libsndfile (a file it cannot open is unreadable) and every \
      file is hashed (SHA-256): identical files within a label are duplicates, in different labels \
      label noise, in both DATA and --test leakage. Imbalance: the largest label has more than 3× \
      the clips of the smallest; a tiny label has fewer than 10 clips.

      Examples:
        graft audio folder coughs/
        graft audio folder labels.csv --where split=train --test labels.csv --test-where split=test --json
        graft audio folder train/ --test test/
      """)

  @Argument(help: ArgumentHelp("A class-per-folder directory or a CSV of file,label.", valueName: "dir-or-csv"))
  var data: String

  @Option(help: ArgumentHelp("Test clips (a directory or CSV) to check for files identical to training clips.", valueName: "dir-or-csv"))
  var test: String?

  @Option(name: .customLong("where"), help: ArgumentHelp("Keep CSV rows of DATA whose COLUMN equals VALUE (repeatable).", valueName: "column=value"))
  var filters: [String] = []

  @Option(name: .customLong("test-where"), help: ArgumentHelp("Keep CSV rows of --test whose COLUMN equals VALUE (repeatable).", valueName: "column=value"))
  var testFilters: [String] = []

  @Option(help: ArgumentHelp("Directory that relative paths in a CSV start from (default: the CSV's).", valueName: "dir"))
  var audioRoot: String?

  @Option(help: ArgumentHelp("The CSV column holding the labels (default: label, class or category).", valueName: "name"))
  var labelColumn: String?

  @Flag(help: "Print JSON: {\"data\", \"counts\": [{\"label\", \"count\"}], \"issues\", \"health\"}.")
  var json = false

  func run() throws {
    let source = try SoundDataSource.load(data, filters: try parseFilters(filters), root: audioRoot, labelColumn: labelColumn)
    let testSource = try test.map {
      try SoundDataSource.load($0, filters: try parseFilters(testFilters), root: audioRoot, labelColumn: labelColumn)
    }
    let health = HealthOutput.audio(source.clips, test: testSource?.clips ?? [], verify: true)
    let issues = source.issues + (testSource?.issues ?? [])
    if json {
      try printJSON(JSONValue.object([
        "data": .string(data),
        "counts": .array(source.counts.map { ["label": .string($0.label), "count": .number(Double($0.count))] }),
        "issues": try JSONValue(encoding: issues),
        "health": health.json,
      ]))
    } else {
      var text = "\(data): \(source.clips.count) clips in \(source.labels.count) labels\n"
      for (label, count) in source.counts { text += "  \(label)  \(count)\n" }
      if let testSource, let test { text += "\(test): \(testSource.clips.count) test clips\n" }
      for issue in issues { text += "issue: \(issue)\n" }
      Console.writeOutput(text + HealthOutput.text(health))
    }
  }
}
