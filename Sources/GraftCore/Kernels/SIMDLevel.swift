import CKernels

/// The vector instruction set of Graft's own C kernels (CKernels: the LSTM
/// step). Each kernel is compiled for every level with function-level target
/// attributes and the best level the CPU supports is used, so one binary runs
/// anywhere and uses AVX-512 where it exists. `GRAFT_ISA=avx2|baseline` caps
/// it for a process (benchmarks, bug reports); `withLevel` for a task (tests).
public enum SIMDLevel: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
  /// The target's baseline vectors (SSE2 on x86-64, NEON on arm64).
  case baseline = 0
  /// AVX2 with FMA (8 floats).
  case avx2 = 1
  /// AVX-512F (16 floats).
  case avx512 = 2

  /// The best level this CPU and OS support.
  public static var best: SIMDLevel { SIMDLevel(rawValue: Int(graft_isa_best().rawValue)) ?? .baseline }

  /// Levels this machine can run, lowest first.
  public static var available: [SIMDLevel] { allCases.filter { $0 <= best } }

  /// The level kernels use on this task now.
  public static var current: SIMDLevel {
    if let override { return override }
    return SIMDLevel(rawValue: Int(graft_isa_active().rawValue)) ?? .baseline
  }

  @TaskLocal static var override: SIMDLevel?

  /// Runs `body` with kernels at `level` (capped at `best`) on this task.
  public static func withLevel<R>(_ level: SIMDLevel, _ body: () throws -> R) rethrows -> R {
    try $override.withValue(min(level, best)) { try body() }
  }

  var isa: graft_isa { graft_isa(rawValue: UInt32(rawValue)) }

  /// Floats per vector of the C kernels at this level.
  public var vectorWidth: Int {
    switch self {
    case .baseline: 4
    case .avx2: 8
    case .avx512: 16
    }
  }

  public static func < (a: SIMDLevel, b: SIMDLevel) -> Bool { a.rawValue < b.rawValue }

  public var description: String {
    switch self {
    case .baseline: "baseline"
    case .avx2: "avx2"
    case .avx512: "avx512"
    }
  }
}
