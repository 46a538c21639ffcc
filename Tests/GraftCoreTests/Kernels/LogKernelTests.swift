import Foundation
import GraftCore
import Testing

/// The vector logarithms (CKernels) at every SIMD level this CPU has, against libm.
@Suite struct LogKernelTests {
  /// Values across the float range, lengths with vector tails, and the special lanes
  /// (zero, negative, subnormal, infinity, NaN) the polynomial cannot handle.
  static let inputs: [Float] = (0..<4001).map { Float(pow(10, Double($0 - 2000) * 0.019)) }
    + [0.70710677, 0.7071068, 1, 2, 0.5, 1e-45, 1e-40, 1.1754944e-38, .greatestFiniteMagnitude]
    + [0, -1, .infinity, .nan, 3]

  @Test(arguments: SIMDLevel.available)
  func logOffsetMatchesLibm(_ level: SIMDLevel) {
    SIMDLevel.withLevel(level) {
      for offset: Float in [0, 1e-6] {
        var out = [Float](repeating: 0, count: Self.inputs.count)
        Kernels.logOffset(&out, Self.inputs, count: Self.inputs.count, offset: offset)
        for (x, y) in zip(Self.inputs, out) {
          let expected = Foundation.log(Double(x + offset))
          if expected.isNaN { #expect(y.isNaN, "log(\(x) + \(offset))"); continue }
          if expected.isInfinite { #expect(Double(y) == expected, "log(\(x) + \(offset))"); continue }
          #expect(abs(Double(y) - expected) <= 2e-7 * max(1, abs(expected)), "\(level) log(\(x) + \(offset)) = \(y), want \(expected)")
        }
      }
    }
  }

  /// A value's log is the same wherever it sits: in a vector, in the last partial vector, or next
  /// to a special lane (a spectrogram's log taken block by block equals the whole one's).
  @Test(arguments: SIMDLevel.available)
  func logOffsetDoesNotDependOnPosition(_ level: SIMDLevel) {
    SIMDLevel.withLevel(level) {
      let xs = Self.inputs
      var whole = [Float](repeating: 0, count: xs.count)
      Kernels.logOffset(&whole, xs, count: xs.count, offset: 1e-5)
      for start in [0, 1, 3, 7, 4000, xs.count - 9] {
        for length in [1, 5, 13, 33] where start + length <= xs.count {
          let part = Array(xs[start..<(start + length)])
          var out = [Float](repeating: 0, count: length)
          Kernels.logOffset(&out, part, count: length, offset: 1e-5)
          #expect(out.map(\.bitPattern) == whole[start..<(start + length)].map(\.bitPattern),
                  "\(level): \(length) values from \(start)")
        }
      }
    }
  }

  @Test(arguments: SIMDLevel.available)
  func powerToDecibelsMatchesLibm(_ level: SIMDLevel) {
    SIMDLevel.withLevel(level) {
      let xs = Self.inputs.filter { !$0.isNaN }
      let (amin, offset): (Float, Float) = (1e-10, 3.5)
      var out = [Float](repeating: 0, count: xs.count)
      let peak = Kernels.powerToDecibels(&out, xs, count: xs.count, amin: amin, offset: offset)
      var expectedPeak = -Double.infinity
      for (x, y) in zip(xs, out) {
        let expected = 10 * log10(Double(max(amin, x))) - Double(offset)
        expectedPeak = max(expectedPeak, expected)
        if expected.isInfinite { #expect(Double(y) == expected); continue }
        #expect(abs(Double(y) - expected) <= 2e-6 * max(1, abs(expected)), "\(level) dB(\(x)) = \(y), want \(expected)")
      }
      #expect(Double(peak) == Double(Float(expectedPeak)))
      var none: [Float] = []
      #expect(Kernels.powerToDecibels(&none, [], count: 0, amin: amin, offset: 0) == -.infinity)
    }
  }
}
