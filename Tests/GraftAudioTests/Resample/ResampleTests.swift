import Foundation
import GraftAudio
import Testing

@Suite struct ResampleTests {
  static func sine(_ frequency: Double, rate: Int, seconds: Double, amplitude: Double = 0.8) -> [Float] {
    (0..<Int(Double(rate) * seconds)).map { i in
      let phase: Double = 2 * Double.pi * frequency * Double(i) / Double(rate)
      return Float(amplitude * sin(phase))
    }
  }

  /// Frequency from upward zero crossings, interpolated linearly, over `range`.
  static func frequency(_ x: [Float], rate: Int, in range: Range<Int>) -> Double {
    var crossings: [Double] = []
    for i in range.dropLast() where x[i] < 0 && x[i + 1] >= 0 {
      crossings.append(Double(i) + Double(-x[i] / (x[i + 1] - x[i])))
    }
    guard let first = crossings.first, let last = crossings.last, crossings.count > 1 else { return 0 }
    return Double(crossings.count - 1) * Double(rate) / (last - first)
  }

  @Test(arguments: ResampleQuality.allCases)
  func sineKeepsFrequencyAndAmplitude(quality: ResampleQuality) throws {
    let input = Self.sine(1000, rate: 44100, seconds: 0.25)
    let output = try resample(input, from: 44100, to: 16000, quality: quality)
    #expect(abs(output.count - 4000) <= 2, "\(output.count) frames")
    let middle = 400..<(output.count - 400)
    let f = Self.frequency(output, rate: 16000, in: middle)
    #expect(abs(f - 1000) < 1, "frequency \(f)")
    let peak = middle.map { abs(output[$0]) }.max() ?? 0
    #expect(abs(peak - 0.8) < 0.01, "peak \(peak)")
    // Sample by sample, the middle matches the ideal 16 kHz sine (delay-free).
    let ideal = Self.sine(1000, rate: 16000, seconds: 0.25)
    let worst = middle.map { abs(output[$0] - ideal[$0]) }.max() ?? 1
    #expect(worst < 0.01, "max deviation \(worst)")
  }

  /// A 7 kHz tone is above the 4 kHz Nyquist limit of 8 kHz: a band-limited resampler removes
  /// it instead of folding it down to 1 kHz (linear interpolation would keep most of it).
  @Test func downsamplingDoesNotAlias() throws {
    let input = Self.sine(7000, rate: 44100, seconds: 0.2)
    let output = try resample(input, from: 44100, to: 8000)
    let middle = output[200..<(output.count - 200)]
    let rms = (middle.map { Double($0) * Double($0) }.reduce(0, +) / Double(middle.count)).squareRoot()
    #expect(rms < 0.01, "aliased RMS \(rms)")
  }

  @Test func stereoChannelsStaySeparateAndRunsAreBitIdentical() throws {
    let left = Self.sine(500, rate: 22050, seconds: 0.1)
    let right = Self.sine(2000, rate: 22050, seconds: 0.1, amplitude: 0.3)
    let interleaved = zip(left, right).flatMap { [$0, $1] }
    let audio = AudioBuffer(samples: interleaved, channels: 2, sampleRate: 22050)
    let out = try audio.resampled(to: 16000, quality: .medium)
    #expect(out.sampleRate == 16000 && out.channels == 2)
    let middle = 200..<(out.frames - 200)
    #expect(abs(Self.frequency(out.channel(0), rate: 16000, in: middle) - 500) < 1)
    #expect(abs(Self.frequency(out.channel(1), rate: 16000, in: middle) - 2000) < 2)
    #expect(try audio.resampled(to: 16000, quality: .medium) == out)
  }

  @Test func badRequestsThrow() throws {
    #expect(try resample([1, 2, 3], from: 16000, to: 16000) == [1, 2, 3])
    #expect(try resample([], from: 16000, to: 8000) == [])
    #expect(throws: ResampleError(from: 0, to: 16000, reason: .invalidRate)) {
      try resample([1, 2], from: 0, to: 16000)
    }
    #expect(throws: ResampleError(from: 10, to: 16000, reason: .ratioOutOfRange)) {
      try resample([1, 2], from: 10, to: 16000)
    }
    #expect(ResampleError(from: 10, to: 16000, reason: .ratioOutOfRange).description
            == "resampling 10 Hz to 16000 Hz: ratio outside 1/256…256")
  }
}
