import Synchronization

/// How often each of `count` items has drawn random values: the `draw` of
/// `Generator(seed:item:draw:)`. A training epoch visits every item once, so an item's count
/// is its epoch number. Thread-safe (the data loader asks from background threads).
public final class DrawCounter: Sendable {
  private let counts: Mutex<[Int]>

  public init(count: Int) { counts = Mutex([Int](repeating: 0, count: count)) }

  /// The number of earlier draws of `item` (0 the first time), counting this one.
  public func next(_ item: Int) -> Int { counts.withLock { c in defer { c[item] += 1 }; return c[item] } }
}
