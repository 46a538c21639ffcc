import ArgumentParser
import Foundation
import GraftCore

/// The persistent feature cache's options, shared by the `train` commands.
struct FeatureCacheOptions: ParsableArguments {
  @Flag(name: .customLong("no-cache"), help: "Do not read or write the on-disk feature cache (features are still cached in memory for this run).")
  var noCache = false

  @Option(name: .customLong("cache-limit"), help: ArgumentHelp("Size limit of the on-disk feature cache, e.g. 2G, 500M, 0 (least recently used entries go first; default 2G).", valueName: "size"))
  var cacheLimit: String?

  @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Directory of the feature cache (default: $GRAFT_CACHE_DIR, else $XDG_CACHE_HOME/graft, else ~/.cache/graft).", valueName: "dir"))
  var cacheDir: String?

  func validate() throws { _ = try limitBytes() }

  func limitBytes() throws -> Int {
    guard let cacheLimit else { return FeatureStore.defaultLimitBytes }
    guard let bytes = ByteSize.parse(cacheLimit) else {
      throw ValidationError("--cache-limit takes a size such as 2G, 500M, 64K or a byte count, got \"\(cacheLimit)\"")
    }
    return bytes
  }

  /// The store to use, or nil with `--no-cache`.
  func store() throws -> FeatureStore? {
    noCache ? nil : FeatureStore(directory: cacheDir ?? FeatureStore.defaultDirectory(), limitBytes: try limitBytes())
  }

  /// One stderr line on what the cache did (nothing when unused).
  static func summary(_ store: FeatureStore?) -> String? {
    guard let store else { return nil }
    let c = store.statistics.snapshot
    guard c.hits + c.misses > 0 else { return nil }
    var line = "feature cache: \(c.hits) hit\(c.hits == 1 ? "" : "s"), \(c.misses) computed, \(c.written) written"
    if c.rejected > 0 { line += ", \(c.rejected) damaged or stale entr\(c.rejected == 1 ? "y" : "ies") recomputed" }
    if c.evicted > 0 { line += ", \(c.evicted) evicted" }
    line += " (\(store.directory))"
    if let failure = c.writeFailure { line += "; could not write: \(failure)" }
    return line
  }

  /// The counters as JSON (null when the cache was not used).
  static func json(_ store: FeatureStore?) -> JSONValue {
    guard let store else { return .null }
    let c = store.statistics.snapshot
    return ["directory": .string(store.directory), "hits": .number(Double(c.hits)), "computed": .number(Double(c.misses)),
            "written": .number(Double(c.written)), "rejected": .number(Double(c.rejected)),
            "evicted": .number(Double(c.evicted)), "write_failure": c.writeFailure.map { .string($0) } ?? .null]
  }
}

/// Sizes written as a byte count or with a binary suffix: `2G` = 2 GiB, `500M`, `64K`, `1024`.
enum ByteSize {
  static func parse(_ text: String) -> Int? {
    var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
    if digits.hasSuffix("IB") { digits.removeLast(2) } else if digits.hasSuffix("B") { digits.removeLast() }
    var shift = 0
    switch digits.last {
    case "K": shift = 10
    case "M": shift = 20
    case "G": shift = 30
    case "T": shift = 40
    default: break
    }
    if shift > 0 { digits.removeLast() }
    guard let n = Int(digits), n >= 0 else { return nil }
    let (bytes, overflow) = n.multipliedReportingOverflow(by: 1 << shift)
    return overflow ? nil : bytes
  }

  /// `1.5 GiB`, `320 KiB`, `12 B`.
  static func text(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
  }
}

struct Cache: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Inspect or empty the on-disk feature cache that `train` keeps for frozen bases.",
    discussion: """
      `vision train` and `audio train` keep the features a frozen base computed, keyed by each \
      file's content (SHA-256), the base's weights and the preprocessing, so a second run on the \
      same data skips the base. Location: --cache-dir, else $GRAFT_CACHE_DIR, else \
      $XDG_CACHE_HOME/graft, else ~/.cache/graft.

      Examples:
        graft cache info
        graft cache info --json
        graft cache clear
      """,
    subcommands: [CacheInfo.self, CacheClear.self])
}

/// `--cache-dir` for the `cache` subcommands.
struct CacheLocation: ParsableArguments {
  @Option(name: .customLong("cache-dir"), help: ArgumentHelp("The cache directory (default: $GRAFT_CACHE_DIR, else $XDG_CACHE_HOME/graft, else ~/.cache/graft).", valueName: "dir"))
  var cacheDir: String?

  var store: FeatureStore { FeatureStore(directory: cacheDir ?? FeatureStore.defaultDirectory()) }
}

struct CacheInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info", abstract: "Print the feature cache's location, entries and size.")

  @OptionGroup var location: CacheLocation

  @Flag(help: "Print JSON: {\"directory\", \"entries\", \"bytes\", \"default_limit_bytes\"}.")
  var json = false

  func run() throws {
    let info = location.store.info()
    if json {
      try printJSON(JSONValue.object([
        "directory": .string(info.directory), "entries": .number(Double(info.entries)),
        "bytes": .number(Double(info.bytes)), "default_limit_bytes": .number(Double(FeatureStore.defaultLimitBytes)),
      ]))
    } else {
      Console.writeOutput("""
        feature cache \(info.directory)
          entries  \(info.entries)
          size     \(ByteSize.text(info.bytes))
          limit    \(ByteSize.text(FeatureStore.defaultLimitBytes)) by default (train --cache-limit)

        """)
    }
  }
}

struct CacheClear: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clear", abstract: "Delete every entry of the feature cache.")

  @OptionGroup var location: CacheLocation

  @Flag(help: "Print JSON: {\"directory\", \"removed\", \"bytes\"}.")
  var json = false

  func run() throws {
    let store = location.store
    let (removed, bytes) = store.clear()
    if json {
      try printJSON(JSONValue.object(["directory": .string(store.directory), "removed": .number(Double(removed)),
                                      "bytes": .number(Double(bytes))]))
    } else {
      Console.writeOutput("removed \(removed) entr\(removed == 1 ? "y" : "ies") (\(ByteSize.text(bytes))) from \(store.directory)\n")
    }
  }
}
