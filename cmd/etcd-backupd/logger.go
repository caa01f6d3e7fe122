package main

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/etcd-backupd/etcd-backupd/config"
)

// newLogger writes to w: JSON by default, console lines when w is a terminal and the format is not set.
func newLogger(c config.Log, w io.Writer) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(c.Level)
	if err != nil {
		return nil, usageError{err}
	}
	format := c.Format
	if format == "" {
		format = config.LogFormatJSON
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = config.LogFormatConsole
		}
	}
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if format == config.LogFormatConsole {
		ec.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		enc = zapcore.NewJSONEncoder(ec)
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(w), level)
	return zap.New(core), nil
}
