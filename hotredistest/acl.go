package hotredistest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ACLRules are the command rules of a least-privilege ACL user for
// hotredis: no pub/sub channels, and only the commands the library sends
// (directly or from its Lua scripts) plus what its clients send on their
// own: PING (health checks), ROLE (a Sentinel client checks it reached the
// primary) and CLUSTER SLOTS / CLUSTER SHARDS / ASKING (a Cluster client
// maps and follows slots). HELLO and AUTH need no rule. SORT is in
// Redis's @dangerous category, so a rule set built from categories must
// add it back (+sort) for List.Sort.
//
// Give the user key patterns too (ACLKeyPatterns). The hotredis test suite
// checks that every command named in the library's sources is here and
// runs every type as a user with these rules.
const ACLRules = "resetchannels -@all" +
	" +ping +role +cluster|slots +cluster|shards +asking" +
	" +multi +exec +watch +unwatch +eval +evalsha +eval_ro +evalsha_ro +time +memory|usage" +
	" +del +unlink +exists +type +rename +pexpire +pexpireat +pexpiretime +persist +pttl" +
	" +get +set +append +getrange +setrange +strlen +incrby +incrbyfloat +decrby" +
	" +lpush +rpush +lpop +rpop +lindex +linsert +llen +lpos +lrange +lrem +lset +ltrim +lmove +sort" +
	" +blpop +blmove" +
	" +sadd +srem +scard +sismember +smismember +smembers +srandmember +spop +sscan" +
	" +sdiff +sinter +sintercard +sinterstore +sunion" +
	" +hset +hsetnx +hget +hmget +hdel +hexists +hlen +hkeys +hvals +hgetall +hscan" +
	" +hincrby +hincrbyfloat +hrandfield" +
	" +zadd +zrem +zscore +zrange +zrangebyscore +zrevrangebyscore +zpopmin" +
	" +zcard +zcount" +
	" +xadd +xread +xrange +xrevrange"

// ACLKeyPatterns returns the key patterns a user needs for the objects
// whose keys start with prefix: "~prefix*" for the keys themselves and
// "~{prefix*" for their auxiliary keys, which hotredis names "{key}:suffix"
// to keep them in the key's Cluster slot. An empty prefix allows every key.
// (A key that carries its own hash tag, such as "app:{x}", keeps its
// auxiliary keys under it, "app:{x}:suffix", so "~app:*" covers both.)
func ACLKeyPatterns(prefix string) string {
	if prefix == "" {
		return "~*"
	}
	return "~" + prefix + "* ~{" + prefix + "*"
}

// ACLUsername and ACLPassword are the user NewACLServer creates.
const (
	ACLUsername = "app"
	ACLPassword = "app-secret"
)

// NewACLServer starts a server with an ACL user (ACLUsername,
// ACLPassword) that has ACLRules on the keys starting with one of prefixes
// (every key if none). NewClient, Client and URL log in as that user;
// GoRedis logs in as the default user, which may do anything, to inspect
// or prepare data.
func NewACLServer(t testing.TB, prefixes ...string) *Server {
	t.Helper()
	s, err := StartACL(prefixes...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartACL is NewACLServer for callers without a testing.TB.
func StartACL(prefixes ...string) (*Server, error) {
	s, err := Start()
	if err != nil {
		return nil, err
	}
	if err := s.AddACLUser(ACLUsername, ACLPassword, prefixes...); err != nil {
		s.Close()
		return nil, err
	}
	s.Username, s.Password = ACLUsername, ACLPassword
	return s, nil
}

// AddACLUser creates (or resets) the ACL user name on the server with
// ACLRules on the keys starting with one of prefixes (every key if none).
// It does not change who NewClient logs in as.
func (s *Server) AddACLUser(name, password string, prefixes ...string) error {
	args := []any{"ACL", "SETUSER", name, "reset", "on", ">" + password}
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	for _, p := range prefixes {
		for _, k := range strings.Fields(ACLKeyPatterns(p)) {
			args = append(args, k)
		}
	}
	for _, r := range strings.Fields(ACLRules) {
		args = append(args, r)
	}
	r := s.GoRedis()
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Do(ctx, args...).Err(); err != nil {
		return fmt.Errorf("hotredistest: ACL SETUSER on %s: %w", s.Addr, err)
	}
	s.mu.Lock()
	s.users = append(s.users, args) // (made again by Restart)
	s.mu.Unlock()
	return nil
}

// AddACLUser adds the ACL user to every node: a Cluster does not share
// ACLs between nodes.
func (c *Cluster) AddACLUser(name, password string, prefixes ...string) error {
	for _, n := range c.Nodes {
		if err := n.AddACLUser(name, password, prefixes...); err != nil {
			return err
		}
	}
	return nil
}

// AddACLUser adds the ACL user to the primary and the replica (which may
// become the primary); sentinels keep their own ACLs.
func (s *Sentinel) AddACLUser(name, password string, prefixes ...string) error {
	for _, n := range []*Server{s.Primary, s.Replica} {
		if err := n.AddACLUser(name, password, prefixes...); err != nil {
			return err
		}
	}
	return nil
}

// ACLLog returns the server's ACL LOG: one entry per refused command or
// key since the server started (or the last ACL LOG RESET), newest first,
// each as Redis reports it (reason, context, object, username...).
func (s *Server) ACLLog(ctx context.Context) ([]map[string]any, error) {
	r := s.GoRedis()
	defer r.Close()
	v, err := r.Do(ctx, "ACL", "LOG").Slice()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, e := range v {
		m := map[string]any{}
		switch e := e.(type) {
		case map[any]any: // RESP3
			for k, v := range e {
				m[fmt.Sprint(k)] = v
			}
		case []any: // RESP2: field, value, ...
			for i := 0; i+1 < len(e); i += 2 {
				m[fmt.Sprint(e[i])] = e[i+1]
			}
		}
		out = append(out, m)
	}
	return out, nil
}
