// The responder's step ledger: the latest state of each playbook step wins whatever order the
// state changes arrive in, and a step recorded as done is done for whoever reads the ledger.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionId, StepLedger } from '../services/responder/ledger.js';
import type { Action, ActionStatus } from '../services/shared/records.js';

const action = (status: ActionStatus, attempt = 1, step_index = 0, ts = 1000): Action => ({
  action_id: actionId('det_1', 'pb', step_index, status, attempt),
  detection_id: 'det_1', playbook_id: 'pb', step_index, step: 'notify', status, attempt, ts, tenant: 't', target: null, dry_run: false, actor: 'responder', detail: '',
});

describe('step ledger', () => {
  test('the furthest state of the latest attempt wins, in any arrival order', () => {
    const ledger = new StepLedger();
    for (const a of [action('running', 2), action('pending'), action('succeeded', 2), action('failed', 1), action('running', 1)]) ledger.apply(a);
    assert.equal(ledger.latest('det_1', 'pb', 0)!.status, 'succeeded');
    assert.equal(ledger.latest('det_1', 'pb', 0)!.attempt, 2);
    assert.ok(ledger.isDone('det_1', 'pb', 0));
  });

  test('steps started and not finished are what a restart resumes', () => {
    const ledger = new StepLedger();
    ledger.apply(action('succeeded', 1, 0));
    ledger.apply(action('running', 1, 1));
    ledger.apply(action('awaiting_approval', 1, 2));
    assert.deepEqual(ledger.unfinished().map((a) => a.step_index).sort(), [1, 2]);
    assert.ok(!ledger.isDone('det_1', 'pb', 1));
    assert.ok(!ledger.isDone('det_1', 'pb', 9), 'a step never seen is not done');
  });

  test('old finished steps are pruned; unfinished ones are kept', () => {
    const ledger = new StepLedger();
    ledger.apply(action('succeeded', 1, 0, 10));
    ledger.apply(action('running', 1, 1, 10));
    ledger.apply(action('succeeded', 1, 2, 5000));
    assert.equal(ledger.prune(1000), 1);
    assert.equal(ledger.size, 2);
  });

  test('action ids are deterministic per state change', () => {
    assert.equal(actionId('d', 'p', 1, 'running', 1), actionId('d', 'p', 1, 'running', 1));
    assert.notEqual(actionId('d', 'p', 1, 'running', 1), actionId('d', 'p', 1, 'running', 2));
    assert.notEqual(actionId('d', 'p', 1, 'running', 1), actionId('d', 'p', 1, 'succeeded', 1));
    assert.match(actionId('d', 'p', 1, 'running', 1), /^act_[0-9a-f]{32}$/);
  });
});
