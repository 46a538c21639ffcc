import CBLAS
import CFFTW
import CPNG
import CSampleRate
import CSndFile
import Foundation
import Testing

/// Each C module links and answers: a sanity check that the system packages
/// and module maps are wired correctly (the real users live in the modules).
@Suite struct CShimTests {
  @Test func cblasMultiplies() {
    let a: [Float] = [1, 2, 3, 4]  // [[1, 2], [3, 4]]
    let b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
    #expect(c == [19, 22, 43, 50])
  }

  @Test func fftwTransformsACosine() {
    let n = 16
    let input = fftwf_alloc_real(n)!
    let output = fftwf_alloc_complex(n / 2 + 1)!
    defer { fftwf_free(input); fftwf_free(output) }
    let plan = fftwf_plan_dft_r2c_1d(Int32(n), input, output, UInt32(FFTW_ESTIMATE))
    defer { fftwf_destroy_plan(plan) }
    for i in 0..<n { input[i] = cos(2 * Float.pi * 3 * Float(i) / Float(n)) }
    fftwf_execute(plan)
    // A cosine at bin 3 puts n/2 in bin 3's real part and nothing elsewhere.
    let bins = (0...(n / 2)).map { k in (output[k].0 * output[k].0 + output[k].1 * output[k].1).squareRoot() }
    #expect(abs(bins[3] - Float(n) / 2) < 1e-4)
    #expect(bins.enumerated().filter { $0.offset != 3 }.allSatisfy { $0.element < 1e-4 })
  }

  @Test func sndfileRoundTripsAWav() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("graft-shim-\(getpid()).wav").path
    defer { unlink(path) }
    var info = SF_INFO()
    info.samplerate = 8000
    info.channels = 1
    info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
    let samples: [Float] = (0..<100).map { Float($0 % 10) / 10 - 0.5 }
    let writer = try #require(sf_open(path, Int32(SFM_WRITE), &info))
    #expect(sf_write_float(writer, samples, 100) == 100)
    sf_close(writer)
    var readInfo = SF_INFO()
    let reader = try #require(sf_open(path, Int32(SFM_READ), &readInfo))
    defer { sf_close(reader) }
    #expect(readInfo.frames == 100 && readInfo.samplerate == 8000)
    var back = [Float](repeating: 0, count: 100)
    #expect(sf_read_float(reader, &back, 100) == 100)
    for (x, y) in zip(samples, back) { #expect(abs(x - y) < 1e-4) }
  }

  @Test func samplerateHalvesTheRate() {
    // 400 samples of a slow ramp at 2× → about 200 samples, ramp preserved in the middle.
    let input: [Float] = (0..<400).map { Float($0) / 400 }
    var output = [Float](repeating: 0, count: 220)
    var data = SRC_DATA()
    let status = input.withUnsafeBufferPointer { inp in
      output.withUnsafeMutableBufferPointer { out in
        data.data_in = inp.baseAddress
        data.data_out = out.baseAddress
        data.input_frames = 400
        data.output_frames = 220
        data.src_ratio = 0.5
        return src_simple(&data, Int32(SRC_SINC_BEST_QUALITY), 1)
      }
    }
    #expect(status == 0, "\(String(cString: src_strerror(status)))")
    #expect(abs(Int(data.output_frames_gen) - 200) <= 2)
    #expect(abs(output[100] - 0.5) < 0.02)
    #expect(!String(cString: src_get_version()).isEmpty)
  }

  @Test func cpngRoundTripsAndReportsErrors() throws {
    let dir = FileManager.default.temporaryDirectory.path
    let path = "\(dir)/graft-shim-\(getpid()).png"
    defer { unlink(path) }
    let pixels: [UInt8] = (0..<(3 * 2 * 4)).map { UInt8($0 * 10) }  // 3×2 RGBA
    var message = [CChar](repeating: 0, count: 256)
    var err: Int32 = 0
    #expect(cpng_encode_file(path, pixels, 3, 2, 4, &message, 256, &err) == CPNG_OK)
    var image = cpng_image()
    #expect(cpng_decode_file(path, 0, &image, &message, 256, &err) == CPNG_OK)
    defer { cpng_free(&image) }
    #expect(image.info.width == 3 && image.info.height == 2 && image.channels == 4)
    #expect(Array(UnsafeBufferPointer(start: image.pixels, count: pixels.count)) == pixels)

    // Truncating the file makes libpng longjmp; the guard turns that into a code and a message.
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(data.count - 20).write(to: URL(fileURLWithPath: path))
    var broken = cpng_image()
    #expect(cpng_decode_file(path, 0, &broken, &message, 256, &err) == CPNG_ERR_LIBPNG)
    #expect(!String(cString: message).isEmpty)
    #expect(cpng_decode_file("/nonexistent/x.png", 0, &broken, &message, 256, &err) == CPNG_ERR_OPEN)
    #expect(cpng_libpng_version() >= 10600)
  }
}
