package cache

// Test-only access for the external test package.
var MD5Hex = md5hex
