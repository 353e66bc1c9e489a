// The script tests run bash with stubbed commands and check Unix file modes: not on Windows.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
