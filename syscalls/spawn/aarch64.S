/*
 * tsrun spawn routine, aarch64 Linux. Assemble with GNU as for aarch64 (regen.sh turns it into
 * aarch64.ts). The same contract as x86_64.S:
 *
 *   i64 spawn(u64 *arena)
 *
 * Makes the child with the arena's clone call (clone3, or the legacy clone where clone3 is
 * refused: a syscall number and six arguments). The parent gets the child's pid (or -errno)
 * back. The child runs the arena's step table, one raw syscall per step, then exit_group(0);
 * normally the last step is execve, which never comes back on success. A clone step forks
 * the child: the new process goes on, the forking one reports the pid (FORKED_STEP) and exits.
 *
 * The child must never return into the caller (V8's heap is MADV_DONTFORK) and may share the
 * parent's memory (CLONE_VM|CLONE_VFORK), so it calls no libc, never touches sp or the link
 * register, and keeps its state in x9-x13: `svc` preserves every register but x0, and these
 * are caller-saved, so the parent may clobber them too.
 * The layout offsets come from layout.inc.
 */
	.include "layout.inc"

	.equ NR_write, 64
	.equ NR_exit_group, 94
	.equ NR_clone, 220

	.text
	.globl tsrun_spawn
tsrun_spawn:
	mov x9, x0			/* arena */
	ldr x8, [x9, #ARENA_CLONE]
	ldp x0, x1, [x9, #ARENA_CLONE + 8]
	ldp x2, x3, [x9, #ARENA_CLONE + 24]
	ldp x4, x5, [x9, #ARENA_CLONE + 40]
	svc #0
	cbz x0, child
	ret

child:
	mov x10, #0			/* step index */
	ldr x11, [x9, #ARENA_N_STEPS]
	add x12, x9, #ARENA_STEPS	/* current step */
next_step:
	cmp x10, x11
	b.hs all_done
	ldr x8, [x12]
	ldp x0, x1, [x12, #8]
	ldp x2, x3, [x12, #24]
	ldp x4, x5, [x12, #40]
	svc #0
	cmp x8, #NR_clone		/* svc preserves x8, the step's syscall */
	b.ne check_result
	cmp x0, #0
	b.gt forked			/* signed: a pid, not -errno nor the new process's 0 */
check_result:
	cmn x0, #MAX_ERRNO
	b.lo step_ok			/* unsigned: x0 + 4095 did not carry, not in the error range */
	neg x0, x0
	ldr x13, [x12, #STEP_OK_ERRNO]
	cmp x0, x13
	b.ne step_failed
step_ok:
	add x10, x10, #1
	add x12, x12, #STEP_SIZE
	b next_step

step_failed:
	mov x11, #EXIT_STEP_FAILED	/* the exit status once reported (the loop is over) */
	b report

forked:
	mov x10, #FORKED_STEP		/* the record's index: the pid follows */
	mov x11, #0
report:
	stp x10, x0, [x9, #ARENA_ERR_STEP]	/* index, then errno or the pid (ARENA_ERR_ERRNO) */
	/* One write of 16 bytes (< PIPE_BUF) is atomic: the parent reads all of it or nothing. */
	ldr x0, [x9, #ARENA_ERR_FD]
	add x1, x9, #ARENA_ERR_STEP
	mov x2, #ERR_RECORD_SIZE
	mov x8, #NR_write
	svc #0
	mov x0, x11
	b exit

all_done:
	mov x0, #0
exit:
	mov x8, #NR_exit_group
	svc #0
	udf #0				/* exit_group does not return */
