// Package all links in every built-in cache backend: locmem, file, db,
// dummy, redis, memcached and tiered. A project's main package imports it for its
// side effect, as Django has its backends available without an import.
package all

import (
	_ "gojango/framework/cache/backends/db"        // "db": DatabaseCache
	_ "gojango/framework/cache/backends/dummy"     // "dummy": DummyCache
	_ "gojango/framework/cache/backends/file"      // "file": FileBasedCache
	_ "gojango/framework/cache/backends/locmem"    // "locmem": LocMemCache
	_ "gojango/framework/cache/backends/memcached" // "memcached": PyMemcacheCache
	_ "gojango/framework/cache/backends/redis"     // "redis": RedisCache
	_ "gojango/framework/cache/backends/tiered"    // "tiered": an in-process copy in front of another alias
	_ "gojango/framework/cache/serializer/pickle"  // OPTIONS.SERIALIZER = "pickle": Django's stored values
)
