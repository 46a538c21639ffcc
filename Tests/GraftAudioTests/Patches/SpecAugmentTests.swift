import Foundation
import GraftAudio
import GraftCore
import Testing

@Suite struct SpecAugmentTests {
  static var patch: Tensor { Tensor(shape: [1, 20, 10], (0..<200).map { Float($0) + 1 }) }

  @Test func masksAreSeededBoundedAndFilled() {
    let augment = SpecAugment(timeMasks: 1, maxTimeWidth: 5, frequencyMasks: 1, maxFrequencyWidth: 3, fill: -7)
    var a = Generator(seed: 3), b = Generator(seed: 3)
    let input = Self.patch
    let x = augment(input, using: &a), y = augment(input, using: &b)
    #expect(x.scalars == y.scalars)
    #expect(input.scalars == (0..<200).map { Float($0) + 1 })  // input untouched
    var maskedSomething = false
    for seed in 0..<40 as Range<UInt64> {
      var g = Generator(seed: seed)
      let out = augment(Self.patch, using: &g).scalars
      let masked = (0..<200).filter { out[$0] == -7 }
      // Everything else is unchanged.
      #expect((0..<200).allSatisfy { out[$0] == -7 || out[$0] == Float($0) + 1 })
      let rows = Set(masked.map { $0 / 10 }), columns = Set(masked.map { $0 % 10 })
      // Masked cells are whole rows (≤ 5 of them, consecutive) or whole columns (≤ 3, consecutive).
      let fullRows = (0..<20).filter { r in (0..<10).allSatisfy { out[r * 10 + $0] == -7 } }
      let fullColumns = (0..<10).filter { c in (0..<20).allSatisfy { out[$0 * 10 + c] == -7 } }
      #expect(fullRows.count <= 5 && fullColumns.count <= 3)
      if let first = fullRows.first { #expect(fullRows == Array(first..<(first + fullRows.count))) }
      #expect(masked.allSatisfy { fullRows.contains($0 / 10) || fullColumns.contains($0 % 10) })
      if !rows.isEmpty || !columns.isEmpty { maskedSomething = true }
    }
    #expect(maskedSomething)
  }

  @Test func noMasksIsTheIdentity() {
    var g = Generator(seed: 1)
    let out = SpecAugment(timeMasks: 0, frequencyMasks: 0)(Self.patch, using: &g)
    #expect(out.scalars == Self.patch.scalars)
  }

  /// The CLI's `--spec-augment` leaves `fill` nil; training fills it with its front end's floor,
  /// so a YAMNet base masks with log(0.001), not VGGish's log(0.01) (the CLI used to hard-code
  /// the latter for every base).
  @Test func aNilFillBecomesTheFrontEndsSilence() {
    #expect(SpecAugment().fill == nil)
    #expect(SpecAugment().filled(floor: LogMelFrontEnd.yamnet.floor).fill == log(Float(0.001)))
    #expect(SpecAugment().filled(floor: LogMelFrontEnd().floor).fill == log(Float(0.01)))
    #expect(SpecAugment(fill: -7).filled(floor: LogMelFrontEnd.yamnet.floor).fill == -7)
    // Applied directly, a nil fill masks with 0.
    let augment = SpecAugment(timeMasks: 1, maxTimeWidth: 20, frequencyMasks: 0)
    var masked = false
    for seed in 0..<10 as Range<UInt64> {
      var g = Generator(seed: seed)
      let out = augment(Self.patch, using: &g).scalars
      #expect((0..<200).allSatisfy { out[$0] == 0 || out[$0] == Float($0) + 1 })
      masked = masked || out.contains(0)
    }
    #expect(masked)
  }
}
