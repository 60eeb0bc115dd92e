/*
 * rg_main.c: roadgated, the daemon.  Parses options, creates the state
 * directory (0700), opens the store, runs the first-start hook, loads the
 * first configuration snapshot, creates the event loop, the engines
 * (rg_engine) and the admin API (web/), then runs the loop.
 *
 *	SIGTERM, SIGINT	engines shut down (peers notified, leases released),
 *			API socket removed, store closed, exit 0.
 *	SIGHUP		reload: a fresh snapshot from the store, validated,
 *			swapped; a bad one changes nothing.
 *
 * After every committed API change the snapshot is rebuilt the same way.
 * Without --foreground the daemon detaches (double fork); the starting
 * process exits 0 only once the daemon is ready, 1 if it failed.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "rg_daemon.h"
#include "rg_engine.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "store.h"
#include "web/web.h"

struct rg_daemon {
	struct rg_loop		*loop;		/* owned */
	struct store		*store;		/* owned */
	struct rg_engine	*engine;	/* owned */
	struct web		*web;		/* owned */
	struct web_ctx		 wctx;
	struct rg_config	*cfg;		/* counted reference: current */
	const char		*state_dir;
	char			*state_abs;	/* owned: realpath */
	char			*sock_path;	/* owned */
	char			*pid_path;	/* owned */
	int			 pid_fd;	/* locked while we run */
	int			 ready_fd;	/* pipe to the starter, or -1 */
	struct rg_timer		 t_periodic;	/* hourly upkeep */
};

#define RG_PERIODIC_MS	(3600 * 1000)

static void
usage(FILE *f)
{
	fprintf(f,
"usage: roadgated [options]\n"
"  --state-dir DIR   keep all state under DIR (default %s):\n"
"                    DIR/roadgate.db (store), DIR/secret.key (the key that\n"
"                    seals secrets), DIR/api.sock, DIR/roadgated.pid\n"
"  --foreground      stay attached, log to stderr\n"
"  --socket PATH     admin API unix socket (default DIR/api.sock, mode 0600)\n"
"  --ike-port N      IKE UDP port (default 500)\n"
"  --natt-port N     NAT-T UDP port (default 4500)\n"
"  --log-level L     error, warn, notice, info (default) or debug\n"
"  --syslog          log to syslog as well (always when detached)\n"
"  --help            this text\n"
"Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the configuration.\n"
"Manage it with roadgatectl (roadgatectl --help).\n", RG_DEFAULT_STATE_DIR);
}

static int
parse_port(const char *s, uint16_t *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* Build, validate and hand over a new snapshot; nothing changes on error. */
static int
reload(struct rg_daemon *d, const char *why)
{
	struct rg_config	*cfg;
	char			 err[512];

	if ((cfg = store_config_load(d->store, err, sizeof(err))) == NULL) {
		rg_err(CORE, "%s: configuration not reloaded: %s", why, err);
		return -1;
	}
	if (rg_engine_reconfigure(d->engine, cfg) < 0) {
		rg_err(CORE, "%s: engines refused snapshot %llu; keeping %llu",
		    why, (unsigned long long)cfg->serial,
		    (unsigned long long)d->cfg->serial);
		rg_config_unref(cfg);
		return -1;
	}
	rg_config_unref(d->cfg);
	d->cfg = cfg;
	web_configure(d->web, cfg);
	rg_info(CORE, "%s: configuration snapshot %llu active", why,
	    (unsigned long long)cfg->serial);
	return 0;
}

static json_t *
eng_status(void *arg)
{
	return rg_engine_status(((struct rg_daemon *)arg)->engine);
}

static json_t *
eng_pool_status(void *arg, const char *pool)
{
	return rg_engine_pool_status(((struct rg_daemon *)arg)->engine, pool);
}

static unsigned int
eng_old_sessions(void *arg, const char *profile, uint32_t generation)
{
	return rg_engine_sessions_on_old_profile(
	    ((struct rg_daemon *)arg)->engine, profile, generation);
}

static json_t *
eng_sessions(void *arg)
{
	return rg_engine_sessions(((struct rg_daemon *)arg)->engine);
}

static int
eng_kill_session(void *arg, uint64_t id, const char *why)
{
	return rg_engine_kill_session(((struct rg_daemon *)arg)->engine, id,
	    why);
}

static int
api_changed(void *arg)
{
	return reload(arg, "API change");
}

static void
periodic(struct rg_timer *t)
{
	struct rg_daemon	*d = t->arg;
	bool			 changed;

	if (rg_periodic(d->store, &changed) == 0 && changed)
		(void)reload(d, "periodic upkeep");
	rg_timer_start(d->loop, &d->t_periodic, RG_PERIODIC_MS);
}

static void
on_signal(int sig, void *arg)
{
	struct rg_daemon	*d = arg;

	if (sig == SIGHUP) {
		rg_notice(CORE, "SIGHUP: reloading");
		(void)reload(d, "SIGHUP");
		return;
	}
	rg_notice(CORE, "%s: shutting down", sig == SIGTERM ? "SIGTERM" :
	    "SIGINT");
	rg_loop_stop(d->loop);
}

/*
 * Detach: fork, setsid, fork.  The first process waits on a pipe until the
 * daemon reports ready (one byte) or dies (EOF), and exits accordingly.
 */
static int
daemonize(int *ready_fd)
{
	int	 p[2];
	pid_t	 pid;
	char	 c;
	ssize_t	 n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		_exit(1);
	*ready_fd = p[1];
	return 0;
}

static void
detach_stdio(void)
{
	int	 fd;

	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* DIR/roadgated.pid, locked: a second daemon on the same state fails. */
static int
pid_lock(struct rg_daemon *d, char *err, size_t errlen)
{
	char	 buf[32];
	int	 n;

	if ((d->pid_fd = open(d->pid_path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		snprintf(err, errlen, "%s: %s", d->pid_path, strerror(errno));
		return -1;
	}
	if (flock(d->pid_fd, LOCK_EX | LOCK_NB) < 0) {
		n = (int)read(d->pid_fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "another roadgated (pid %s) runs with "
		    "state in %s", buf[0] ? buf : "?", d->state_dir);
		close(d->pid_fd);
		d->pid_fd = -1;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(d->pid_fd, 0) < 0 ||
	    pwrite(d->pid_fd, buf, (size_t)n, 0) != n) {
		snprintf(err, errlen, "%s: %s", d->pid_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
state_dir_make(const char *dir, char *err, size_t errlen)
{
	struct stat	 sb;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if ((sb.st_mode & 077) && sb.st_uid == geteuid() &&
	    chmod(dir, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
start(struct rg_daemon *d, struct rg_engine_opts *opts, char *err,
    size_t errlen)
{
	sigset_t	 ss;

	/*
	 * Block the signals signalfd will deliver before any thread exists
	 * (loop workers, libraries): a thread that left them unblocked would
	 * take SIGTERM's default action and kill the process uncleanly.
	 */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	if (pid_lock(d, err, errlen) < 0)
		return -1;
	if ((d->store = store_open(d->state_dir, err, errlen)) == NULL)
		return -1;
	if (rg_first_start(d->store, d->state_dir, store_created(d->store),
	    err, errlen) < 0)
		return -1;
	if ((d->cfg = store_config_load(d->store, err, errlen)) == NULL)
		return -1;
	if ((d->loop = rg_loop_new(2)) == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	opts->store = d->store;
	opts->state_dir = d->state_dir;
	if ((d->engine = rg_engine_new(d->loop, opts, d->cfg)) == NULL) {
		snprintf(err, errlen, "the engines did not start (IKE ports "
		    "%u/%u in use or not permitted?)", opts->ike_port,
		    opts->natt_port);
		return -1;
	}
	d->wctx = (struct web_ctx){
		.store = d->store,
		.engine = { eng_status, eng_pool_status, eng_old_sessions, d,
		    eng_sessions, eng_kill_session },
		.changed = api_changed,
		.changed_arg = d,
	};
	if ((d->web = web_start(d->loop, d->sock_path, &d->wctx, err,
	    errlen)) == NULL)
		return -1;
	web_configure(d->web, d->cfg);
	if (rg_loop_signal(d->loop, SIGTERM, on_signal, d) < 0 ||
	    rg_loop_signal(d->loop, SIGINT, on_signal, d) < 0 ||
	    rg_loop_signal(d->loop, SIGHUP, on_signal, d) < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	rg_timer_init(&d->t_periodic, periodic, d);
	rg_timer_start(d->loop, &d->t_periodic, 1000);
	return 0;
}

static void
stop(struct rg_daemon *d)
{
	if (d->loop)
		rg_timer_stop(d->loop, &d->t_periodic);
	web_stop(d->web);
	if (d->engine) {
		rg_engine_shutdown(d->engine);
		rg_engine_free(d->engine);
	}
	rg_config_unref(d->cfg);
	store_close(d->store);
	rg_loop_free(d->loop);
	if (d->pid_fd >= 0) {
		(void)unlink(d->pid_path);
		close(d->pid_fd);
	}
	free(d->sock_path);
	free(d->pid_path);
	free(d->state_abs);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "ike-port", required_argument, NULL, 'i' },
		{ "natt-port", required_argument, NULL, 'n' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rg_daemon	 d = { .pid_fd = -1, .ready_fd = -1 };
	struct rg_engine_opts	 opts = { .ike_port = 500, .natt_port = 4500 };
	const char		*sock = NULL;
	enum rg_level		 level = RG_L_INFO;
	bool			 foreground = false, use_syslog = false;
	char			 err[1024] = "", cwd[4096];
	int			 c;

	d.state_dir = RG_DEFAULT_STATE_DIR;
	while ((c = getopt_long(argc, argv, "d:fs:i:n:l:Sh", longopts, NULL))
	    != -1) {
		switch (c) {
		case 'd':
			d.state_dir = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'i':
		case 'n':
			if (parse_port(optarg, c == 'i' ? &opts.ike_port :
			    &opts.natt_port) < 0) {
				fprintf(stderr, "roadgated: --%s: not a port: "
				    "%s\n", c == 'i' ? "ike-port" :
				    "natt-port", optarg);
				return 2;
			}
			break;
		case 'l':
			if (rg_level_parse(optarg, &level) < 0) {
				fprintf(stderr, "roadgated: --log-level: "
				    "unknown level %s\n", optarg);
				return 2;
			}
			break;
		case 'S':
			use_syslog = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	rg_log_open(true, use_syslog || !foreground, level);
	umask(077);
	if (state_dir_make(d.state_dir, err, sizeof(err)) < 0) {
		rg_err(CORE, "roadgated: %s", err);
		return 1;
	}
	/* Absolute paths: a detached daemon runs from "/". */
	if ((d.state_abs = realpath(d.state_dir, NULL)) == NULL ||
	    asprintf(&d.pid_path, "%s/roadgated.pid", d.state_abs) < 0 ||
	    (sock && sock[0] != '/' ? asprintf(&d.sock_path, "%s/%s",
	    getcwd(cwd, sizeof(cwd)) ? cwd : ".", sock) < 0 :
	    sock ? (d.sock_path = strdup(sock)) == NULL :
	    asprintf(&d.sock_path, "%s/api.sock", d.state_abs) < 0)) {
		fprintf(stderr, "roadgated: %s: %s\n", d.state_dir,
		    strerror(errno));
		return 1;
	}
	d.state_dir = d.state_abs;
	if (!foreground && daemonize(&d.ready_fd) < 0) {
		snprintf(err, sizeof(err), "cannot detach: %s",
		    strerror(errno));
		goto fail;
	}
	if (start(&d, &opts, err, sizeof(err)) < 0)
		goto fail;
	rg_notice(CORE, "roadgated ready: store %s, API %s, IKE udp/%u,%u",
	    store_path(d.store), d.sock_path, opts.ike_port, opts.natt_port);
	if (d.ready_fd >= 0) {
		(void)write(d.ready_fd, "", 1);
		close(d.ready_fd);
		d.ready_fd = -1;
		rg_log_open(false, true, level);
		detach_stdio();
	}
	rg_loop_run(d.loop);
	rg_notice(CORE, "roadgated stopped");
	stop(&d);
	return 0;
fail:
	rg_err(CORE, "roadgated: %s", err);
	stop(&d);
	return 1;
}
