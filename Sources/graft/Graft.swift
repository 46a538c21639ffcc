import ArgumentParser
import GraftCore

@main
struct Graft: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graft",
    abstract: "Transfer learning for Swift on Linux.",
    subcommands: [])
}
