import CFFTW
import Synchronization

/// Every FFTW call GraftAudio makes: single-precision real-to-complex transforms.
///
/// FFTW's planner, allocator and plan destruction are not thread-safe; only `fftwf_execute` and
/// its new-array variants are ("Thread safety" in the FFTW manual). So plans are created once
/// per size under one lock and kept for the life of the process, buffers are allocated and
/// freed under the same lock, and each thread executes the shared plan on its own buffers with
/// `fftwf_execute_dft_r2c`. Plans use `FFTW_ESTIMATE`: no timing measurements, so the same size
/// always gets the same plan and the same bits.
final class RealFFT: @unchecked Sendable {
  /// Transform length n; the output has n/2 + 1 bins.
  let size: Int
  private let plan: OpaquePointer

  private static let lock = Mutex<[Int: RealFFT]>([:])

  private init(size: Int, plan: OpaquePointer) {
    self.size = size
    self.plan = plan
  }

  /// The plan for `size`, created on first use.
  /// The corresponding C function is `fftwf_plan_dft_r2c_1d` with `FFTW_ESTIMATE`.
  static func forSize(_ size: Int) -> RealFFT {
    precondition(size >= 1 && size <= Int(Int32.max), "RealFFT: size \(size)")
    return lock.withLock { cache in
      if let plan = cache[size] { return plan }
      // FFTW_ESTIMATE does not touch the arrays; they only fix the alignment the plan expects.
      let input = fftwf_alloc_real(size)!
      let output = fftwf_alloc_complex(size / 2 + 1)!
      defer { fftwf_free(input); fftwf_free(output) }
      guard let raw = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE)) else {
        preconditionFailure("fftwf_plan_dft_r2c_1d(\(size)) returned NULL")
      }
      let plan = RealFFT(size: size, plan: raw)
      cache[size] = plan
      return plan
    }
  }

  /// Scratch for one thread: `size` reals in, `size / 2 + 1` complex bins out, SIMD-aligned as
  /// the plan requires. The corresponding C functions are `fftwf_alloc_real`,
  /// `fftwf_alloc_complex` and, on deinit, `fftwf_free`.
  final class Buffers {
    let input: UnsafeMutablePointer<Float>
    /// Interleaved (re, im) pairs.
    let output: UnsafeMutablePointer<Float>

    init(size: Int) {
      (input, output) = RealFFT.lock.withLock { _ in
        let input = fftwf_alloc_real(size)!
        let output = fftwf_alloc_complex(size / 2 + 1)!
        return (input, UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self))
      }
    }

    deinit {
      RealFFT.lock.withLock { _ in
        fftwf_free(input)
        fftwf_free(output)
      }
    }
  }

  func makeBuffers() -> Buffers { Buffers(size: size) }

  /// Transforms `buffers.input` into `buffers.output` (unnormalised, as `numpy.fft.rfft`).
  /// Thread-safe for distinct buffers. The corresponding C function is `fftwf_execute_dft_r2c`.
  func execute(_ buffers: Buffers) {
    let output = UnsafeMutableRawPointer(buffers.output).assumingMemoryBound(to: fftwf_complex.self)
    fftwf_execute_dft_r2c(plan, buffers.input, output)
  }
}
