#!/usr/bin/perl
# Calls every operation of the gateway through a client SOAP::WSDL's wsdl2perl generated from the live WSDL
# (the generated classes are in the folder given first), and prints one JSON report (tests/interop/scenario.py).
#
#   perl client.pl GENERATED_LIB ENDPOINT_URL plain|wsa
#
# SOAP::WSDL's parser is strict: a header block that its typemap does not name fails the call ("Cannot resolve
# class for CorrelationID"). Its generated typemap names only the portType's messages, so a block bound in the
# WSDL's binding does not help it: the gateway must send none unless asked. In wsa mode each call sends
# WS-Addressing (wsa:Action and wsa:To mustUnderstand, as WCF does) and the typemap learns wsa:RelatesTo, the one
# block a client that sends a MessageID must read (SOAP::WSDL has no WS-Addressing of its own); any other block in
# the answer would still fail the call.
use strict;
use warnings;
use FindBin;
use JSON::PP;

my ($generated, $endpoint, $mode) = @ARGV;
die "usage: client.pl GENERATED_LIB ENDPOINT_URL plain|wsa\n" if not $mode or $mode !~ /\A(plain|wsa)\z/;
unshift @INC, $generated, $FindBin::Bin;
require MyInterfaces::SoapbridgeService::Soapbridge;
require MyTypemaps::SoapbridgeService;

my $WSA = 'http://www.w3.org/2005/08/addressing';
my $CN = 'urn:soapbridge:canonical:v1';

# SOAP::WSDL's own HTTP transport (LWP), whether or not SOAP::Lite, which it would prefer, is installed.
require SOAP::WSDL::Factory::Transport;
SOAP::WSDL::Factory::Transport->register(http => 'SOAP::WSDL::Transport::HTTP');
extend_typemap(MyTypemaps::SoapbridgeService->get_typemap, $mode);
my $service = MyInterfaces::SoapbridgeService::Soapbridge->new({ proxy => $endpoint });
my @related;    # [MessageID sent, RelatesTo answered] for each call in wsa mode

sub extend_typemap {
    my ($typemap, $mode) = @_;
    # The fault's detail, which the generator types as a string: the GatewayFault paths it made, under Fault/detail.
    $typemap->{'Fault/detail'} = 'SoapbridgeFaultDetail';
    $typemap->{"Fault/detail/$_"} = $typemap->{$_} for grep { m{\AGatewayFault(/|\z)} } keys %{ $typemap };
    $typemap->{'RelatesTo'} = 'SOAP::WSDL::XSD::Typelib::Builtin::anyURI' if $mode eq 'wsa';
}

# Call an operation; in wsa mode with WS-Addressing, noting what the answer related itself to.
sub call {
    my ($operation, $body) = @_;
    return $service->$operation($body) if $mode eq 'plain';
    my $message_id = sprintf 'urn:uuid:%08x-%04x-4%03x-8%03x-%012x',
        int(rand(2**32)), int(rand(2**16)), int(rand(2**12)), int(rand(2**12)), int(rand(2**48));
    my $addressing = Addressing->new("$CN/$operation", $message_id, $endpoint);
    my ($answer, $header) = $service->$operation($body, $addressing);
    push @related, [$message_id, defined $header ? $header->get_value : undef];
    return $answer;
}

# A call's answer, or die with the fault SOAP::WSDL returned in its place (a fault object is false).
sub answer {
    my $answer = call(@_);
    die "$_[0]: " . ($answer ? '' : $answer->get_faultstring) . "\n" if not $answer;
    return $answer;
}

# SOAP::WSDL gives one element as an object and several as an array ref; an object dereferences as a list of
# itself (its documented ARRAYIFY overload), so @{ } is the list either way.
sub list_of { my ($value) = @_; return defined $value ? @{ $value } : () }
sub is_list { my ($value) = @_; return (defined $value && eval { my @list = @{ $value }; 1 }) ? JSON::PP::true : JSON::PP::false }
sub text { my ($value) = @_; return defined $value ? "$value" : undef }
sub value { my ($simple) = @_; return defined $simple ? $simple->get_value : undef }

my %report;

my $customer = answer('GetCustomer', { customerId => '1001' })->get_customer;
$report{getCustomer} = {
    (map { $_ => value($customer->can("get_$_")->($customer)) } qw(id name email status)),
    city => value($customer->get_address->get_city),
    country => value($customer->get_address->get_country),
    since => value($customer->get_since),
};

for ([searchMany => 'London'], [searchOne => 'Arlington']) {
    my ($name, $city) = @{ $_ };
    my $found = answer('SearchCustomers', { city => $city })->get_customer;
    $report{$name} = { array => is_list($found), names => [map { value($_->get_name) } list_of($found)] };
}

my $receipt = answer('RecordPayment', {
    invoiceId => 'INV-2024-0242', amount => '1.25', currency => 'GBP', paidOn => '2026-11-20',
    reference => "interop perl $mode",
})->get_receipt;
$report{recordPayment} = { map { $_ => value($receipt->can("get_$_")->($receipt)) }
    qw(invoiceId currency status remainingBalance paymentId) };

my $forecast = answer('GetForecast', { stationId => 'KJFK', days => 3 })->get_forecast;
$report{forecast} = {
    stationId => value($forecast->get_stationId),
    array => is_list($forecast->get_day),
    days => [map { { date => value($_->get_date), minC => value($_->get_minC), maxC => value($_->get_maxC) } }
        list_of($forecast->get_day)],
};

my $observation = answer('GetCurrentWeather', { stationId => 'EGLL' })->get_observation;
$report{currentWeather} = { map { $_ => value($observation->can("get_$_")->($observation)) }
    qw(stationId observedAt temperatureC condition) };

my $account = answer('GetCustomerAccount', { customerId => '1001' })->get_account;
$report{customerAccount} = {
    customerId => value($account->get_customer->get_id),
    balance => value($account->get_balance),
    openInvoices => [map { value($_->get_id) } list_of($account->get_openInvoice)],
};

$report{listInvoices} = { ids => [map { value($_->get_id) }
    list_of(answer('ListInvoices', { customerId => '1001' })->get_invoice)] };

my $subscription = answer('SubscribeCustomer', { customerId => '1002', listId => 'newsletter' })->get_subscription;
$report{subscribeCustomer} = { map { $_ => value($subscription->can("get_$_")->($subscription)) }
    qw(customerId listId email status) };

my $unchanged = {
    id => '1002', name => 'Grace Hopper', email => 'grace.hopper@example.com', phone => '+1 703 555 0142',
    status => 'active', since => '2016-09-22', tag => ['enterprise'],
    address => { street => '1400 Crystal Drive', postalCode => '22202', city => 'Arlington', country => 'US' },
};
my $updated = answer('UpdateCustomer', { customer => $unchanged })->get_customer;
$report{updateCustomer} = { id => value($updated->get_id), name => value($updated->get_name),
    tags => [map { value($_) } list_of($updated->get_tag)] };

my $fault = call('GetCustomer', { customerId => '9999' });
my $detail = $fault ? undef : $fault->get_detail;
my $gateway_fault = $detail && $detail->can('get_GatewayFault') ? $detail->get_GatewayFault : undef;
$report{fault} = {
    kind => ref $fault,
    code => (split /:/, text($fault ? undef : $fault->get_faultcode) // '')[-1],
    subcode => undef,
    detail => $gateway_fault
        ? { code => value($gateway_fault->get_code), system => value($gateway_fault->get_system) }
        : undef,
    message => $fault ? undef : value($fault->get_faultstring),
};
$report{related} = \@related if $mode eq 'wsa';

print JSON::PP->new->canonical->encode(\%report), "\n";

# The WS-Addressing 1.0 header a WCF client sends: Action and To mustUnderstand, an anonymous ReplyTo.
package Addressing;

sub new {
    my ($class, $action, $message_id, $to) = @_;
    return bless { action => $action, message_id => $message_id, to => $to }, $class;
}

# What SOAP::WSDL's serializer asks a header object for; SOAP-ENV is its envelope's prefix.
sub serialize_qualified {
    my ($self) = @_;
    my $must = 'SOAP-ENV:mustUnderstand="1"';
    return join '',
        qq{<wsa:Action xmlns:wsa="$WSA" $must>$self->{action}</wsa:Action>},
        qq{<wsa:MessageID xmlns:wsa="$WSA">$self->{message_id}</wsa:MessageID>},
        qq{<wsa:ReplyTo xmlns:wsa="$WSA"><wsa:Address>$WSA/anonymous</wsa:Address></wsa:ReplyTo>},
        qq{<wsa:To xmlns:wsa="$WSA" $must>$self->{to}</wsa:To>};
}
