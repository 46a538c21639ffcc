/// A minimal RFC 4180 reader: rows of fields with the line each row starts on.
enum CSV {
  struct Row {
    var fields: [String]
    /// 1-based line of the row's first character.
    var line: Int
    /// Why the row is malformed (an unterminated quote), if it is.
    var problem: String?
  }

  static func rows(_ text: String) -> [Row] {
    var rows: [Row] = []
    var fields: [String] = [], field = "", inQuotes = false, afterQuote = false
    var line = 1, rowLine = 1
    var problem: String? = nil
    var iterator = Array(text.unicodeScalars).makeIterator()
    var pending: Unicode.Scalar? = nil
    func finishRow() {
      fields.append(field)
      rows.append(Row(fields: fields, line: rowLine, problem: problem))
      fields = []; field = ""; problem = nil; afterQuote = false
    }
    while let c = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        if c == "\"" {
          if let next = iterator.next() {
            if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
          } else {
            inQuotes = false; afterQuote = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case ",":
        fields.append(field); field = ""; afterQuote = false
      case "\r":
        if let next = iterator.next(), next != "\n" { pending = next }
        finishRow(); line += 1; rowLine = line
      case "\n":
        finishRow(); line += 1; rowLine = line
      case "\"" where field.isEmpty && !afterQuote:
        inQuotes = true
      default:
        if afterQuote { problem = problem ?? "text after a closing quote" }
        field.unicodeScalars.append(c)
      }
    }
    if inQuotes { problem = "unterminated quoted field" }
    if inQuotes || !field.isEmpty || !fields.isEmpty { finishRow() }
    return rows
  }
}
