import Foundation

/// Why a checkpoint could not be read or applied.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case unreadable(String)
    case notACheckpoint
    case incompatible(String)
    case writeFailed(String)
  }
  public var path: String
  public var reason: Reason

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String {
    switch reason {
    case .unreadable(let why): return "\(path): cannot read checkpoint: \(why)"
    case .notACheckpoint: return "\(path): not a graft training checkpoint (no trainer state)"
    case .incompatible(let why): return "\(path): checkpoint does not match this model or optimizer: \(why)"
    case .writeFailed(let why): return "\(path): cannot write checkpoint: \(why)"
    }
  }
}

/// Trainer state that is not a tensor, stored as JSON in the checkpoint's metadata.
struct TrainerState: Codable {
  var nextEpoch: Int
  var history: TrainingHistory
  var bestValue: Double?
  var epochsWithoutImprovement: Int
  /// Generator states of `Stochastic` modules, by module path (decimal strings: exact in JSON).
  var generators: [String: [String]]
  var format = "graft-checkpoint-1"
  /// The writing trainer's `TrainingOptions.label` ("head", "fine-tune"); absent in older files.
  var stage: String? = nil
}

extension Trainer {
  /// Writes weights, optimizer state, generator states, epoch, history and
  /// early-stopping state to one safetensors file (temp file, fsync, rename:
  /// a failed write leaves the previous checkpoint intact).
  public func saveCheckpoint(to path: String) throws {
    var tensors: [String: Tensor] = [:]
    for (k, t) in model.stateDict() { tensors["model." + k] = t }
    for (k, t) in optimizer.stateTensors() { tensors["optimizer." + k] = t }
    if let best = bestState { for (k, t) in best { tensors["best." + k] = t } }
    var generators: [String: [String]] = [:]
    for (path, m) in model.namedModules() {
      if let s = m as? any Stochastic { generators[path] = s.generator.state.map(String.init) }
    }
    let state = TrainerState(nextEpoch: nextEpoch, history: history, bestValue: bestValue,
                             epochsWithoutImprovement: epochsWithoutImprovement, generators: generators,
                             stage: options.label)
    let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
    do {
      try SafeTensors.write(tensors, metadata: ["graft_trainer": json], to: path)
    } catch {
      throw CheckpointError(path: path, reason: .writeFailed(error.description))
    }
  }

  /// The tensors and the trainer state of the checkpoint at `path`.
  static func readCheckpoint(at path: String) throws(CheckpointError) -> (SafeTensorsFile, TrainerState) {
    let file: SafeTensorsFile
    do {
      file = try SafeTensors.read(path)
    } catch {
      throw CheckpointError(path: path, reason: .unreadable(error.description))
    }
    guard let json = file.metadata["graft_trainer"],
          let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8)) else {
      throw CheckpointError(path: path, reason: .notACheckpoint)
    }
    return (file, state)
  }

  /// The label of the trainer that wrote the checkpoint at `path` (nil for files written before
  /// labels were recorded), read from its header without loading its tensors into a model.
  public static func checkpointStage(at path: String) throws(CheckpointError) -> String? {
    let (_, state) = try Self.readCheckpoint(at: path)
    return state.stage
  }

  /// Restores a checkpoint written by `saveCheckpoint`; the next `fit` continues
  /// exactly where the saved run stopped (bit-identical weights for the same
  /// data, seed and options). Nothing changes if it throws.
  public func resume(from path: String) throws {
    let (file, state) = try Self.readCheckpoint(at: path)
    func section(_ prefix: String) -> [String: Tensor] {
      var out: [String: Tensor] = [:]
      for (k, t) in file.tensors where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = t }
      return out
    }
    // Validate everything before changing anything.
    let weights = section("model.")
    let ownKeys = Set(model.stateDict().map(\.0))
    if Set(weights.keys) != ownKeys || model.stateDict().contains(where: { weights[$0.0]?.shape != $0.1.shape }) {
      let probe = model  // produce the detailed error without loading
      do {
        try probe.load(weights, strict: true, source: path)
      } catch {
        throw CheckpointError(path: path, reason: .incompatible(error.description))
      }
    }
    var generatorStates: [(any Stochastic, Generator)] = []
    for (modulePath, m) in model.namedModules() {
      guard let s = m as? any Stochastic else { continue }
      guard let words = state.generators[modulePath], words.count == 4,
            case let values = words.compactMap(UInt64.init), values.count == 4, values.contains(where: { $0 != 0 }) else {
        throw CheckpointError(path: path, reason: .incompatible("no random state for \(modulePath.isEmpty ? "model" : modulePath)"))
      }
      generatorStates.append((s, Generator(state: values)))
    }
    let optimizerState = section("optimizer.")
    let saved = optimizer.stateTensors().mapValues { $0.copy() }
    do {
      try optimizer.loadState(optimizerState)
    } catch {
      throw CheckpointError(path: path, reason: .incompatible("optimizer: \(error.description)"))
    }
    do {
      try model.load(weights, strict: true, source: path)
    } catch {
      try? optimizer.loadState(saved)
      throw CheckpointError(path: path, reason: .incompatible(error.description))
    }
    for (s, g) in generatorStates { s.generator = g }
    let best = section("best.")
    bestState = best.isEmpty ? nil : best
    nextEpoch = state.nextEpoch
    history = state.history
    bestValue = state.bestValue
    epochsWithoutImprovement = state.epochsWithoutImprovement
  }
}
