import ArgumentParser
import Foundation
import GraftCore
import GraftDistributed

struct Distributed: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Data-parallel runs on MPI: check that a job's processes can train together.",
    discussion: """
      Every train command runs data-parallel when started by mpirun (or srun --mpi=pmix): see \
      docs/distributed.md. `check` runs the collectives on awkward sizes and a small training run \
      on every rank and reports whether the ranks agree.

      Examples:
        graft distributed check
        mpirun -np 2 graft distributed check --json
      """,
    subcommands: [DistributedCheckCommand.self])
}

struct DistributedCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Run MPI collectives and a small data-parallel training run on every rank; report agreement.")

  @Option(name: .customLong("fail-rank"), help: ArgumentHelp(
    "Make this rank fail after the collectives, to see how a job ends when one process fails.", valueName: "rank"))
  var failRank: Int?

  @Flag(help: "Print JSON: {\"world_size\", \"ok\", \"ranks\": [{\"rank\", \"failures\", \"losses\", \"parameter_hash\", \"batch_norm_hash\", \"validation_accuracy\"}]}.")
  var json = false

  func run() throws {
    let group = ProcessGroups.current
    let reports = try DistributedCheck.run(group) {
      if failRank == group.rank { throw CLIError("deliberate failure (--fail-rank \(group.rank))") }
    }
    let agree = Set(reports.map(\.parameterHash)).count == 1 && Set(reports.map(\.losses)).count == 1
      && Set(reports.map(\.batchNormHash)).count == 1
    let ok = agree && reports.allSatisfy { $0.failures.isEmpty }
    if json {
      let ranks: [JSONValue] = reports.map { r in
        ["rank": .number(Double(r.rank)), "failures": .array(r.failures.map { .string($0) }),
         "losses": .array(r.losses.map { .number($0) }), "parameter_hash": .string(r.parameterHash),
         "batch_norm_hash": .string(r.batchNormHash),
         "validation_accuracy": .number(r.validationAccuracy)]
      }
      try printJSON(JSONValue.object(["world_size": .number(Double(group.size)), "ok": .bool(ok), "ranks": .array(ranks)]))
    } else {
      var text = "world size \(group.size)\n"
      for r in reports {
        text += "rank \(r.rank): collectives \(r.failures.isEmpty ? "ok" : "FAILED " + r.failures.joined(separator: ", "))"
          + ", losses " + r.losses.map { String(format: "%.6f", $0) }.joined(separator: " ") + ", parameters \(r.parameterHash)\n"
      }
      text += ok ? "ranks agree\n" : "ranks DISAGREE\n"
      Console.writeOutput(text)
    }
    if !ok { throw ExitCode(1) }
  }
}
