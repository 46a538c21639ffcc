/// A terminal progress bar: redraws one line on a TTY (items/s, ETA and any
/// extra fields such as running loss), and prints a plain line about every
/// `plainInterval` seconds (and at the end) when stderr is not a terminal.
public final class ProgressBar {
  public let label: String
  public let total: Int
  public private(set) var done = 0
  let interactive: Bool
  let quiet: Bool
  let start = Stopwatch.now()
  var lastDraw: Double
  let plainInterval: Double

  public init(_ label: String, total: Int, quiet: Bool = false, plainInterval: Double = 5) {
    self.label = label
    self.total = total
    self.quiet = quiet || !ProcessGroups.isLeader  // one progress line per job, not per rank
    self.plainInterval = plainInterval
    interactive = Console.errorIsTerminal
    lastDraw = interactive ? -Double.infinity : start  // plain output: first line after an interval
  }

  /// Advances by `count` items; `fields` are shown after the rate (e.g. "loss 0.412").
  public func advance(_ count: Int = 1, fields: String = "") {
    done = min(total, done + count)
    let now = Stopwatch.now()
    let finished = done == total
    if quiet { return }
    if interactive {
      if finished || now - lastDraw >= 0.1 { draw(now, fields); lastDraw = now }
      if finished { Console.writeError("\n") }
    } else if finished || now - lastDraw >= plainInterval {
      lastDraw = now
      Console.writeError(line(now, fields, width: 20) + "\n")
    }
  }

  func draw(_ now: Double, _ fields: String) {
    Console.writeError("\r\u{1B}[2K" + line(now, fields, width: 30))
  }

  func line(_ now: Double, _ fields: String, width: Int) -> String {
    let elapsed = max(now - start, 1e-9)
    let fraction = total > 0 ? Double(done) / Double(total) : 1
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let rate = Double(done) / elapsed
    let eta = rate > 0 ? Double(total - done) / rate : 0
    var s = "\(label) \(bar) \(done)/\(total) \(ProgressBar.format(rate))/s"
    s += done == total ? " \(ProgressBar.duration(elapsed))" : " ETA \(ProgressBar.duration(eta))"
    if !fields.isEmpty { s += "  " + fields }
    return s
  }

  static func format(_ rate: Double) -> String {
    rate >= 100 ? String(Int(rate.rounded())) : String(Double(Int(rate * 10)) / 10)
  }

  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 60 ? "\(s / 60)m\(s % 60 < 10 ? "0" : "")\(s % 60)s" : "\(s)s"
  }
}
