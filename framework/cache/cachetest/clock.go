package cachetest

import "time"

const timeMillis = time.Millisecond

func runtimeGosched() { time.Sleep(time.Millisecond) }
