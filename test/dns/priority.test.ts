/**
 * When a node with answering workers may change priorities (lib/dns/priority.ts), read from the texts
 * of /proc/self/status and /proc/self/limits as Linux writes them; and the flags of an answering worker.
 * The processes themselves: test/dns/cluster.test.ts ("priorities").
 */
import { workerFlags } from '../../lib/dns/cluster';
import { mayReturnTo } from '../../lib/dns/priority';

const status = (capEff: string) => `Name:\tnode\nState:\tS (sleeping)\nCapInh:\t0000000000000000\nCapPrm:\t${capEff}\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;
const limits = (soft: string, hard: string) => [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max open files            1048576              1048576              files     ',
  `Max nice priority         ${soft.padEnd(20)} ${hard.padEnd(20)} `,
  'Max realtime priority     0                    0                    ',
].join('\n') + '\n';

describe('mayReturnTo', () => {
  test('CAP_SYS_NICE (bit 23) in effect: yes, whatever RLIMIT_NICE says', () => {
    expect(mayReturnTo(0, status('000001fffeffffff'), limits('0', '0'))).toBe(true); // root in this VM: CAP_SYS_RESOURCE (24) missing, 23 there
    expect(mayReturnTo(0, status('0000000000800000'), limits('0', '0'))).toBe(true); // CAP_SYS_NICE alone
  });

  test('no CAP_SYS_NICE: RLIMIT_NICE decides (a nice value may be lowered down to 20 - its soft limit)', () => {
    expect(mayReturnTo(0, status('0000000000000000'), limits('0', '0'))).toBe(false); // the default
    expect(mayReturnTo(0, status('0000000001000000'), limits('0', '0'))).toBe(false); // CAP_SYS_RESOURCE (24) is not CAP_SYS_NICE
    expect(mayReturnTo(0, status('0000000000000400'), limits('19', '20'))).toBe(false); // only down to 1
    expect(mayReturnTo(0, status('0000000000000000'), limits('20', '20'))).toBe(true); // systemd LimitNICE=+0
    expect(mayReturnTo(5, status('0000000000000000'), limits('15', '15'))).toBe(true); // started at nice 5: back to 5
    expect(mayReturnTo(-5, status('0000000000000000'), limits('20', '40'))).toBe(false); // not back to -5
    expect(mayReturnTo(-5, status('0000000000000000'), limits('unlimited', 'unlimited'))).toBe(true);
  });

  test('texts without the lines (another kernel, a container that hides them): no', () => {
    expect(mayReturnTo(0, 'Name:\tnode\n', 'Limit Soft Limit Hard Limit Units\n')).toBe(false);
  });
});

describe('workerFlags', () => {
  test('the primary\'s flags, --expose-gc, and a 2 MB young generation', () => {
    expect(workerFlags(['-r', 'ts-node/register'], '')).toEqual(['-r', 'ts-node/register', '--expose-gc', '--max-semi-space-size=2']);
  });

  test('a young generation the operator set, in the flags or in NODE_OPTIONS, is left alone', () => {
    expect(workerFlags(['--max-semi-space-size=16'], '')).toEqual(['--max-semi-space-size=16', '--expose-gc']);
    expect(workerFlags(['--max_semi_space_size', '8'], '')).toEqual(['--max_semi_space_size', '8', '--expose-gc']);
    expect(workerFlags([], '--enable-source-maps --max-semi-space-size=32')).toEqual(['--expose-gc']);
    expect(workerFlags([], '--max-old-space-size=512')).toEqual(['--expose-gc', '--max-semi-space-size=2']);
  });
});
