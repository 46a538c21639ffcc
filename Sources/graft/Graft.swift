import ArgumentParser
import GraftAudio
import GraftCore
import GraftDistributed
import GraftText
import GraftVision

#if canImport(Glibc)
import Glibc
#endif

/// The root command. Exit codes: 0 ok, 1 failure, 2 usage.
struct Graft: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graft",
    abstract: "Transfer learning for Swift on Linux: freeze a pretrained base, graft a new head, train, ship.",
    discussion: """
      Examples:
        graft demo
        graft bench core --json
        graft vision train --data pets/train --base resnet18.safetensors --arch resnet18 --out pets.graft
        graft evaluate pets.graft --data pets/test --json
        graft predict pets.graft cat.png --top 3
        graft base info mobilenet_v2_1.0_224_quant.tflite
      """,
    version: GraftVersion.string,
    subcommands: [Demo.self, Bench.self, Vision.self, Text.self, Audio.self, Evaluate.self, Predict.self, Summary.self, Distributed.self, Cache.self, Base.self])
}

enum GraftVersion {
  static let string = "0.1.0"
}

/// swift-argument-parser exits 64 (EX_USAGE) on usage errors; Graft's contract
/// is 2. This `main` parses, runs, and maps the exit code, printing errors as
/// one line naming the file and the reason.
@main
enum GraftMain {
  static func main() {
    // Under mpirun/srun: join the job (rank 0 alone prints and writes); otherwise nothing changes.
    let group = MPIProcessGroup.startIfLaunched()
    GraftVision.registerArchitectures()
    GraftAudio.registerArchitectures()
    GraftText.registerArchitectures()
    do {
      var command = try Graft.parseAsRoot()
      try command.run()
    } catch {
      let code = Graft.exitCode(for: error)
      if code == .success {
        Console.writeOutput(Graft.fullMessage(for: error) + "\n")  // --help, --version
        exit(0)
      }
      if code.rawValue == 64 {  // usage error
        Console.writeError(Graft.fullMessage(for: error) + "\n")
        exit(2)
      }
      if let exit = error as? ExitCode { Glibc.exit(exit.rawValue) }
      // One rank's failure ends the whole job, naming the rank (no rank waits in a collective).
      if group.size > 1 { group.abort(String(describing: error)) }
      Console.writeError("graft: \(String(describing: error))\n")
      exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
  }
}
