#if canImport(Glibc)
import Glibc
#endif

/// The one seedable random generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed gives the same stream on every machine: only integer
/// arithmetic, `log` and `sqrt` (Marsaglia's polar method) are involved.
/// A value type: copy it to fork a stream, store it to checkpoint it.
public struct Generator: RandomNumberGenerator, Codable, Equatable, Sendable {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  /// The four state words (for checkpoints).
  public var state: [UInt64] { [s0, s1, s2, s3] }

  public init(seed: UInt64) {
    var s = seed
    func splitmix() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
  }

  /// Restores a generator from `state` (four words, not all zero).
  public init(state: [UInt64]) {
    precondition(state.count == 4 && state.contains { $0 != 0 }, "Generator: invalid state \(state)")
    s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  public mutating func next() -> UInt64 {
    let result = Generator.rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = Generator.rotl(s3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// Uniform Float in [low, high).
  public mutating func uniform(_ low: Float = 0, _ high: Float = 1) -> Float {
    let v = low + Float(nextUnit()) * (high - low)
    return v < high ? v : low  // rounding can reach `high`
  }

  /// Standard normal pair by Marsaglia's polar method.
  public mutating func normalPair() -> (Double, Double) {
    while true {
      let u = 2 * nextUnit() - 1
      let v = 2 * nextUnit() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let f = (-2 * Glibc.log(s) / s).squareRoot()
        return (u * f, v * f)
      }
    }
  }

  /// Fills `buffer` with N(mean, std²).
  public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
    var i = 0
    while i < buffer.count {
      let (a, b) = normalPair()
      buffer[i] = mean + std * Float(a)
      if i + 1 < buffer.count { buffer[i + 1] = mean + std * Float(b) }
      i += 2
    }
  }

  /// Fills `buffer` with U[low, high).
  public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1) {
    for i in 0..<buffer.count { buffer[i] = uniform(low, high) }
  }

  /// Uniform integer in 0..<bound without modulo bias.
  public mutating func int(below bound: Int) -> Int {
    precondition(bound > 0, "Generator.int(below:): bound \(bound)")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// A seeded permutation of 0..<n (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      p.swapAt(i, int(below: i + 1))
    }
    return p
  }
}
