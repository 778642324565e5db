import { slugDecider, SlugHeldError, type SlugEvent } from '../../src/domain/school/slug-claim.js';
import { deciderSpecification } from '../support/decider-spec.js';

const given = deciderSpecification(slugDecider);
const claimed = (schoolId: string): SlugEvent => ({ type: 'SlugClaimed', data: { slug: 'oak', schoolId } });
const released = (schoolId: string): SlugEvent => ({ type: 'SlugReleased', data: { slug: 'oak', schoolId } });
const claim = (schoolId: string) => ({ type: 'ClaimSlug' as const, data: { slug: 'oak', schoolId } });

describe('slugDecider: who holds a slug', () => {
  it('claims a slug nobody holds', () => {
    given()
      .when(claim('a'))
      .then([claimed('a')]);
  });

  it('claims a slug released by its last holder', () => {
    given(claimed('a'), released('a'))
      .when(claim('b'))
      .then([claimed('b')]);
  });

  it('is a repeat, not news, when the school already holds it', () => {
    given(claimed('a')).when(claim('a')).then([]);
  });

  it('refuses a slug another school holds, naming the holder', () => {
    given(claimed('a')).when(claim('b')).thenThrows(SlugHeldError);
    given(released('x'), claimed('a'))
      .when(claim('b'))
      .thenThrows(/held by school a/);
  });

  it('takes over an abandoned claim: the holder released, the claimant holding it', () => {
    const takeOver = { type: 'TakeOverSlug' as const, data: { slug: 'oak', schoolId: 'b', from: 'a', reason: 'gone' } };
    given(claimed('a'))
      .when(takeOver)
      .then([{ type: 'SlugReleased', data: { slug: 'oak', schoolId: 'a', reason: 'gone' } }, claimed('b')]);
    given(claimed('c'))
      .when(takeOver)
      .thenThrows(/held by school c/);
  });

  it('releases only its own claim', () => {
    const release = (schoolId: string) => ({ type: 'ReleaseSlug' as const, data: { slug: 'oak', schoolId } });
    given(claimed('a'))
      .when(release('a'))
      .then([released('a')]);
    given(claimed('a')).when(release('b')).then([]);
    given(claimed('a'), released('a')).when(release('a')).then([]);
  });
});
