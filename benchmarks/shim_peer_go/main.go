// Command shim_peer_go is a fake Fabric peer that drives one chaincode server over
// one Connect stream, for benchmarks/bench_shim.py.
//
// It registers the chaincode, runs the warm-up transactions, prints "ready", waits
// for one line on stdin, then runs and times the remaining transactions and prints
// {"completed": N, "seconds": S}. Every request from the chaincode (GET_STATE,
// PUT_STATE, ...) is answered at once with an empty RESPONSE. A failure prints one
// line on stderr and exits with status 1.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

const (
	connectMethod = "/protos.Chaincode/Connect"
	stallTimeout  = 3 * time.Second
	watchInterval = 250 * time.Millisecond
	outboxSize    = 1024
)

// options are the command-line settings.
type options struct {
	target   string
	messages string
	warmup   int
	inflight int
}

func main() {
	opts, err := parseFlags()
	if err == nil {
		err = run(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, oneLine(err.Error()))
		os.Exit(1)
	}
}

// oneLine makes text a single valid UTF-8 line.
func oneLine(text string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(text, "\uFFFD"), "\n", " ")
}

// parseFlags reads and checks the command line.
func parseFlags() (options, error) {
	var o options
	flag.StringVar(&o.target, "target", "", "chaincode server address, loopback host:port")
	flag.StringVar(&o.messages, "messages", "", "file of uvarint-length-prefixed TRANSACTION messages")
	flag.IntVar(&o.warmup, "warmup", 0, "how many leading messages are warm-up")
	flag.IntVar(&o.inflight, "inflight", 1, "transactions kept in flight")
	flag.Parse()
	if !isLoopback(o.target) {
		return o, fmt.Errorf("-target %q is not a loopback host:port", o.target)
	}
	if o.messages == "" || o.warmup < 0 || o.inflight < 1 {
		return o, errors.New("usage: shim_peer_go -target HOST:PORT -messages FILE -warmup W -inflight N")
	}
	return o, nil
}

// isLoopback reports whether target is host:port with a loopback host.
func isLoopback(target string) bool {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// run drives the whole session; its error names how many transactions completed.
func run(o options) error {
	data, err := os.ReadFile(o.messages)
	if err != nil {
		return err
	}
	all, err := splitDelimited(data)
	if err != nil {
		return fmt.Errorf("%s: %v", o.messages, err)
	}
	if len(all) < o.warmup {
		return fmt.Errorf("%s holds %d messages, fewer than the %d warm-up", o.messages, len(all), o.warmup)
	}
	warmup, timed := all[:o.warmup], all[o.warmup:]
	p, closePeer, err := connect(o.target)
	if err != nil {
		return fmt.Errorf("warm-up: %v after 0/%d completed", err, len(warmup))
	}
	defer closePeer()
	if err := p.register(); err != nil {
		return fmt.Errorf("warm-up: %v after 0/%d completed", err, len(warmup))
	}
	if err := p.run(warmup, o.inflight); err != nil {
		return fmt.Errorf("warm-up: %v after %d/%d completed", err, p.completed, len(warmup))
	}
	if err := awaitStart(p); err != nil {
		return fmt.Errorf("%v after 0/%d completed", err, len(timed))
	}
	start := time.Now()
	if err := p.run(timed, o.inflight); err != nil {
		return fmt.Errorf("%v after %d/%d completed", err, p.completed, len(timed))
	}
	seconds := time.Since(start).Seconds()
	fmt.Printf("{\"completed\": %d, \"seconds\": %s}\n", p.completed, strconv.FormatFloat(seconds, 'f', 9, 64))
	return nil
}

// awaitStart prints "ready" and waits for one line on stdin, with the stall watch off.
func awaitStart(p *peer) error {
	p.armed.Store(false)
	defer p.armed.Store(true)
	if _, err := fmt.Println("ready"); err != nil {
		return err
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("no start line on stdin: %v", err)
	}
	return nil
}

// connect opens a Connect stream to target and starts the sender and the stall watch.
func connect(target string) (*peer, func(), error) {
	conn, err := grpc.NewClient(
		target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})),
	)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	desc := &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}
	stream, err := conn.NewStream(ctx, desc, connectMethod)
	if err != nil {
		cancel()
		conn.Close()
		return nil, nil, fmt.Errorf("cannot open the stream: %s", describe(err))
	}
	p := &peer{stream: stream, cancel: cancel, outbox: make(chan []byte, outboxSize)}
	p.armed.Store(true)
	go p.send()
	go p.watch(ctx)
	return p, func() { cancel(); conn.Close() }, nil
}

// peer is the peer end of one Connect stream.
type peer struct {
	stream    grpc.ClientStream
	cancel    context.CancelFunc
	outbox    chan []byte
	buf       []byte
	received  atomic.Uint64
	armed     atomic.Bool
	stalled   atomic.Bool
	completed int
}

// send writes the outbox to the stream in order; after a failed write it only drains
// the outbox (the receiving side reports the stream's error).
func (p *peer) send() {
	failed := false
	for b := range p.outbox {
		if !failed && p.stream.SendMsg(b) != nil {
			failed = true
		}
	}
}

// watch cancels the stream when nothing has arrived for stallTimeout while armed.
func (p *peer) watch(ctx context.Context) {
	ticker := time.NewTicker(watchInterval)
	defer ticker.Stop()
	last, since := p.received.Load(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			if n := p.received.Load(); n != last || !p.armed.Load() {
				last, since = n, now
			} else if now.Sub(since) > stallTimeout {
				p.stalled.Store(true)
				p.cancel()
				return
			}
		}
	}
}

// recv returns the next message from the chaincode.
func (p *peer) recv() (message, error) {
	if err := p.stream.RecvMsg(&p.buf); err != nil {
		return message{}, p.streamError(err)
	}
	p.received.Add(1)
	m, err := decodeMessage(p.buf)
	if err != nil {
		return m, fmt.Errorf("undecodable ChaincodeMessage: %v", err)
	}
	return m, nil
}

// streamError explains why receiving failed.
func (p *peer) streamError(err error) error {
	switch {
	case p.stalled.Load():
		return fmt.Errorf("no message from the chaincode for %.0fs (a reply was lost)", stallTimeout.Seconds())
	case errors.Is(err, io.EOF):
		return errors.New("the server ended the stream")
	}
	return fmt.Errorf("stream failed: %s", describe(err))
}

// describe formats a gRPC error as its code and message.
func describe(err error) string {
	s := status.Convert(err)
	return fmt.Sprintf("%s %s", s.Code(), s.Message())
}

// register expects REGISTER and answers REGISTERED then READY.
func (p *peer) register() error {
	m, err := p.recv()
	if err != nil {
		return err
	}
	if m.typ != typeRegister {
		return fmt.Errorf("expected REGISTER, got type %d", m.typ)
	}
	p.outbox <- encodeMessage(typeRegistered, nil, nil)
	p.outbox <- encodeMessage(typeReady, nil, nil)
	return nil
}

// run sends messages keeping up to inflight outstanding and waits for every COMPLETED.
func (p *peer) run(messages [][]byte, inflight int) error {
	sent := 0
	p.completed = 0
	for p.completed < len(messages) {
		for sent < len(messages) && sent-p.completed < inflight {
			p.outbox <- messages[sent]
			sent++
		}
		m, err := p.recv()
		if err != nil {
			return err
		}
		if err := p.handle(m); err != nil {
			return err
		}
	}
	return nil
}

// handle counts a successful COMPLETED, fails on ERROR or a non-200 status, and
// answers any other message with an empty RESPONSE.
func (p *peer) handle(m message) error {
	switch m.typ {
	case typeCompleted:
		code, text, err := decodeResponse(m.payload)
		if err != nil {
			return fmt.Errorf("undecodable Response: %v", err)
		}
		if code != 200 {
			return fmt.Errorf("status %d: %s", code, text)
		}
		p.completed++
	case typeError:
		return fmt.Errorf("chaincode sent ERROR: %s", m.payload)
	default:
		p.outbox <- encodeMessage(typeResponse, m.txID, m.channelID)
	}
	return nil
}
