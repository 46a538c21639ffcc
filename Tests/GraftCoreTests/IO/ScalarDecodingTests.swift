@testable import GraftCore
import Testing

extension IOTests {
  @Suite struct ScalarDecodingTests {
    @Test(arguments: [
      (UInt16(0x3C00), Float(1)),
      (0xC000, -2),
      (0x3555, 0.333251953125),
      (0x7BFF, 65504),  // largest finite
      (0x0400, 0x1p-14),  // smallest normal
      (0x03FF, 1023 * 0x1p-24),  // largest subnormal
      (0x0001, 0x1p-24),  // smallest subnormal
      (0x8001, -0x1p-24),
      (0x0000, 0),
      (0x7C00, .infinity),
      (0xFC00, -.infinity),
    ])
    func halfBitPatterns(_ bits: UInt16, _ expected: Float) {
      #expect(ScalarDecoding.float(fromHalf: bits) == expected)
    }

    @Test func halfSignedZeroAndNaN() {
      #expect(ScalarDecoding.float(fromHalf: 0x8000).bitPattern == (-0.0 as Float).bitPattern)
      #expect(ScalarDecoding.float(fromHalf: 0x7E00).isNaN)
      #expect(ScalarDecoding.float(fromHalf: 0x7C01).isNaN)  // signalling NaN stays NaN, not infinity
      #expect(ScalarDecoding.float(fromHalf: 0xFE00).sign == .minus)
    }

    #if arch(x86_64) || arch(arm64)
    /// Every one of the 65536 patterns against the standard library's `Float16`.
    @Test func halfMatchesStandardLibraryExhaustively() {
      var mismatches: [UInt16] = []
      for bits in UInt16.min...UInt16.max {
        let ours = ScalarDecoding.float(fromHalf: bits)
        let reference = Float(Float16(bitPattern: bits))
        if !(ours.bitPattern == reference.bitPattern || (ours.isNaN && reference.isNaN)) {
          mismatches.append(bits)
        }
      }
      #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(4))")
    }
    #endif

    @Test(arguments: [
      (UInt16(0x3F80), Float(1)),
      (0xC049, -3.140625),
      (0x7F7F, 0x1.FEp127),  // largest finite
      (0x0080, 0x1p-126),  // smallest normal
      (0x0001, 0x1p-133),  // smallest subnormal
      (0x7F80, .infinity),
      (0xFF80, -.infinity),
    ])
    func bfloat16BitPatterns(_ bits: UInt16, _ expected: Float) {
      #expect(ScalarDecoding.float(fromBFloat16: bits) == expected)
    }

    @Test func bfloat16SignedZeroAndNaN() {
      #expect(ScalarDecoding.float(fromBFloat16: 0x8000).bitPattern == (-0.0 as Float).bitPattern)
      #expect(ScalarDecoding.float(fromBFloat16: 0x7FC0).isNaN)
      #expect(ScalarDecoding.float(fromBFloat16: 0x7F81).isNaN)
    }

    @Test func float8() {
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0x38) == 1)
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0xB0) == -0.5)
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0x7E) == 448)  // largest finite
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0x78) == 256)  // exponent 15 is finite in E4M3FN
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0x01) == 0x1p-9)
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0x7F).isNaN)
      #expect(ScalarDecoding.float(fromFloat8E4M3: 0xFF).isNaN)
      #expect(ScalarDecoding.float(fromFloat8E5M2: 0x3C) == 1)
      #expect(ScalarDecoding.float(fromFloat8E5M2: 0x7B) == 57344)
      #expect(ScalarDecoding.float(fromFloat8E5M2: 0x01) == 0x1p-16)
      #expect(ScalarDecoding.float(fromFloat8E5M2: 0x7C) == .infinity)
    }

    @Test func bulkDecodeHandlesByteOrderAndMisalignment() {
      // One padding byte first, so every element is misaligned.
      let little: [UInt8] = [0xAA, 0x00, 0x3C, 0x00, 0xC0]  // F16 1, -2
      let big: [UInt8] = [0xAA, 0x3C, 0x00, 0xC0, 0x00]
      for (bytes, bigEndian) in [(little, false), (big, true)] {
        var out = [Float](repeating: 0, count: 2)
        bytes.withUnsafeBytes { raw in
          out.withUnsafeMutableBufferPointer { dst in
            ScalarDecoding.decode(raw.baseAddress! + 1, layout: .float(byteCount: 2), bigEndian: bigEndian,
                                  count: 2, into: dst.baseAddress!)
          }
        }
        #expect(out == [1, -2], "bigEndian \(bigEndian)")
      }
    }

    @Test func bulkDecodeIntegers() {
      let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x01]  // Int32 -1, 16777217
      var out = [Float](repeating: 0, count: 2)
      bytes.withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer { dst in
          ScalarDecoding.decode(raw.baseAddress!, layout: .signed(byteCount: 4), bigEndian: false,
                                count: 2, into: dst.baseAddress!)
        }
      }
      #expect(out == [-1, 16777216])  // 2²⁴ + 1 rounds to nearest even
      var unsigned = [Float](repeating: 0, count: 2)
      bytes.withUnsafeBytes { raw in
        unsigned.withUnsafeMutableBufferPointer { dst in
          ScalarDecoding.decode(raw.baseAddress!, layout: .unsigned(byteCount: 4), bigEndian: false,
                                count: 2, into: dst.baseAddress!)
        }
      }
      #expect(unsigned == [4294967295, 16777216])
    }
  }
}
