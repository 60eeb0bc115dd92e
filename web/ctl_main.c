/*
 * ctl_main.c: roadgatectl's entry: global options (anywhere on the line:
 * --socket PATH, --state-dir DIR, --json, --help), then RESOURCE VERB
 * [NAME] [--field value ...], dispatched through ctl_resources[].
 * Exit status: 0 done, 1 the API refused or no daemon, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#include "ctl.h"

static void
help(void)
{
	const struct ctl_resource	*r;
	const char			*p, *nl;

	printf(
"usage: roadgatectl [--socket PATH | --state-dir DIR] [--json]\n"
"                   RESOURCE VERB [NAME] [--field value ...]\n"
"\n"
"roadgatectl manages a running roadgated through its REST API on the unix\n"
"socket DIR/api.sock (default DIR: %s).  Every change is committed\n"
"to the store and applied to the engines before the command returns.\n"
"\n"
"Global options (anywhere on the line):\n"
"  --socket PATH     the API socket\n"
"  --state-dir DIR   use DIR/api.sock\n"
"  --json            print the API's JSON instead of tables\n"
"  --help            this text\n"
"\n"
"Generic verbs: list, show NAME, add NAME [--field value ...],\n"
"set NAME [--field value ...] (only the given fields change), del NAME.\n"
"Fields: --some-field V sets some_field; repeat an option for a list\n"
"(--dns A --dns B) or give \"A,B\"; --no-FIELD clears it.\n"
"\n"
"Resources:\n", RG_DEFAULT_STATE_DIR);
	for (r = ctl_resources; r->name; r++)
		for (p = r->help; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			printf("  %.*s\n", (int)(nl - p), p);
			if (nl == NULL || nl[1] == '\0')
				break;
		}
	printf(
"\n"
"Examples:\n"
"  roadgatectl pool add main --range 198.18.0.0/16 --exclude 198.18.0.0/30\n"
"  roadgatectl profile add default --pool main --dns 198.51.100.53 \\\n"
"      --split 198.51.100.0/24 --domain corp.example\n"
"  roadgatectl settings set default_profile default\n"
"  roadgatectl group add staff --profile default\n"
"  roadgatectl user add alice --password alice-pass --group staff\n"
"  roadgatectl --json user list\n"
"  roadgatectl psk add %%any --secret 'a long random secret'\n"
"  roadgatectl log level ike debug\n"
"  roadgatectl status --json\n"
"\n"
"Exit status: 0 done; 1 the API refused (the message names the field) or\n"
"roadgated is not running; 2 usage error.\n");
}

int
main(int argc, char **argv)
{
	const struct ctl_resource	*r;
	struct ctl			 c = { 0 };
	const char			*state_dir = NULL;
	char				**args, *sock = NULL;
	int				 n = 0, i, rc;

	if ((args = calloc((size_t)argc + 1, sizeof(*args))) == NULL)
		return CTL_EAPI;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			help();
			free(args);
			return CTL_OK;
		} else if (strcmp(argv[i], "--socket") == 0 ||
		    strcmp(argv[i], "--state-dir") == 0) {
			if (i + 1 >= argc) {
				free(args);
				return ctl_usage_error("%s needs a value",
				    argv[i]);
			}
			if (argv[i][2] == 's' && argv[i][3] == 'o')
				c.socket = argv[++i];
			else
				state_dir = argv[++i];
		} else {
			args[n++] = argv[i];
		}
	}
	if (n == 0) {
		free(args);
		return ctl_usage_error("no resource given");
	}
	if (c.socket == NULL) {
		if (asprintf(&sock, "%s/api.sock", state_dir ? state_dir :
		    RG_DEFAULT_STATE_DIR) < 0) {
			free(args);
			return CTL_EAPI;
		}
		c.socket = sock;
	}
	for (r = ctl_resources; r->name; r++)
		if (strcmp(r->name, args[0]) == 0 ||
		    strcmp(r->api, args[0]) == 0)
			break;
	c.resource = args[0];
	if (r->name == NULL)
		rc = ctl_usage_error("unknown resource \"%s\"", args[0]);
	else
		rc = (r->run ? r->run : ctl_generic)(&c, r, n - 1, args + 1);
	free(sock);
	free(args);
	return rc;
}
